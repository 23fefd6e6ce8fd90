import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { StudentSummary } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { openStudent } from '../scan/lookup-scan';

const t = zhCN.ui.candidates;

/** Last 6 of an ID or a common name can match several students; the ID tail tells them apart. */
export function CandidateList({ students }: { students: StudentSummary[] }) {
  const [active, setActive] = useState(0);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.focus();
  }, [students]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.min(students.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1))));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const student = students[active];
      if (student) void openStudent(student.studentNo);
    }
  };

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
