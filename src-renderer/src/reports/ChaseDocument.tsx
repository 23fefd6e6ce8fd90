import type { ChaseList, ChaseStep, ChaseStudent } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { formatStamp } from '../format';
import { DocumentFacts, DocumentHead, Signatures } from './DocumentParts';
import { collegesLine } from './format';

function stepsText(steps: ChaseStep[], withCheckpoint: boolean): string {
  return steps
    .map((s) => {
      const note = s.status === 'rejected' ? s.note : null;
      return withCheckpoint ? t.chaseStep(s.checkpointName, s.stepName, note) : t.chaseOwnStep(s.stepName, note);
    })
    .join(t.listSeparator);
}

/** Students by college and class, in the order the back end sorted them. */
function byClass(students: ChaseStudent[]): { key: string; college: string; className: string; students: ChaseStudent[] }[] {
  const groups = new Map<string, { key: string; college: string; className: string; students: ChaseStudent[] }>();
  for (const s of students) {
    const key = `${s.college}/${s.className}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, college: s.college, className: s.className, students: [] };
      groups.set(key, group);
    }
    group.students.push(s);
  }
  return [...groups.values()];
}

/** 未完成名单 on paper: one block per class, so it can be cut up and handed to class advisers. */
export function ChaseDocument({ list }: { list: ChaseList }) {
  const { header } = list;
  const facts: [string, string][] = [
    [t.doc.checkpoint, header.checkpoint.name],
    [t.doc.colleges, collegesLine(header)],
    [t.doc.generatedAt, formatStamp(header.generatedAt)],
    [t.doc.operator, header.operator.name],
  ];
  const groups = byClass(list.students);
  return (
    <article className="paper" data-testid="chase-list">
      <DocumentHead university={header.university} title={t.doc.chaseTitle} subtitle={header.batch.name} />
      <DocumentFacts facts={facts} header={header} />
      <p>{t.doc.chaseSummary(list.students.length, groups.length)}</p>
      {groups.length === 0 && <p className="doc-empty">{t.doc.byClassEmpty}</p>}
      {groups.map((g) => (
        <section key={g.key} className="doc-section">
          <h2>{t.doc.chaseClass(g.college, g.className, g.students.length)}</h2>
          <table className="doc-table doc-table-dense doc-table-fixed">
            <colgroup>
              <col className="w-no" />
              <col className="w-name" />
              <col className="w-dorm" />
              <col className="w-here" />
              <col />
            </colgroup>
            <thead>
              <tr>
                <th>{t.col.studentNo}</th>
                <th>{t.col.name}</th>
                <th>{t.col.dorm}</th>
                <th>{t.col.here}</th>
                <th>{t.col.elsewhere}</th>
              </tr>
            </thead>
            <tbody>
              {g.students.map((s) => (
                <tr key={s.studentNo}>
                  <td className="mono">{s.studentNo}</td>
                  <td>
                    {s.name}
                    {s.isPrevious && <span className="step-tags">{t.col.previous}</span>}
                  </td>
                  <td className="note">{s.dorm ?? ''}</td>
                  <td className="note">{stepsText(s.here, false)}</td>
                  <td className="note">{stepsText(s.elsewhere, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <Signatures labels={[t.doc.signOperator, t.doc.signSupervisor, t.doc.signDate]} />
    </article>
  );
}
