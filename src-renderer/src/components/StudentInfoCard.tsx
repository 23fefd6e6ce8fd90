import type { StudentDto } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { Kbd } from './Kbd';

const t = zhCN.ui.student;

function Field({ label, value, wide }: { label: string; value: string; wide?: boolean }) {
  return (
    <div className={`info-field${wide ? ' is-wide' : ''}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function StudentInfoCard({ student, onClose }: { student: StudentDto; onClose(): void }) {
  return (
    <section className="card info-card" aria-labelledby="info-title">
      <div className="card-title-row">
        <h2 id="info-title" className="card-title">
          {t.title}
        </h2>
        <button type="button" className="btn btn-small btn-ghost" onClick={onClose}>
          {t.close} <Kbd action="reset" />
        </button>
      </div>
      <div className="info-hero">
        <span className="info-name" data-testid="student-name">
          {student.name}
        </span>
        <span className="info-gender">{student.gender}</span>
        {student.isPrevious && <span className="badge badge-previous">{t.previous}</span>}
        <span className="info-no">{student.studentNo}</span>
      </div>
      <dl className="info-grid">
        <Field label={t.college} value={student.college} />
        <Field label={t.major} value={student.major} />
        <Field label={t.className} value={student.className || '—'} />
        <Field label={t.dorm} value={student.dorm ?? t.noDorm} />
        <Field label={t.idCard} value={student.idCardMasked} wide />
      </dl>
    </section>
  );
}
