import type { StudentSummary } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { openStudent } from '../scan/lookup-scan';
import { useChoiceList } from './use-choice-list';

const t = zhCN.ui.candidates;

/** Last 6 of an ID or a common name can match several students; the ID tail tells them apart. */
export function CandidateList({ students }: { students: StudentSummary[] }) {
  const { active, setActive, listRef: list, onKeyDown } = useChoiceList(students, (s) => void openStudent(s.studentNo));

  return (
    <section className="card candidates-card" aria-labelledby="candidates-title">
      <div className="card-title-row">
        <h2 id="candidates-title" className="card-title">
          {t.title(students.length)}
        </h2>
        <span className="card-meta">{t.hint}</span>
      </div>
      <ul ref={list} className="candidate-list" role="listbox" tabIndex={0} onKeyDown={onKeyDown} aria-labelledby="candidates-title">
        {students.map((s, i) => (
          <li
            key={s.studentNo}
            role="option"
            aria-selected={i === active}
            className={`candidate${i === active ? ' is-active' : ''}`}
            onClick={() => void openStudent(s.studentNo)}
            onMouseEnter={() => setActive(i)}
          >
            <span className="candidate-name">{s.name}</span>
            <span className="candidate-no">{s.studentNo}</span>
            <span className="candidate-id">{s.idCardMasked}</span>
            <span className="candidate-class">
              {s.college} · {s.className}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
