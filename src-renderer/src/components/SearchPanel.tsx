import type { FormEvent, ReactNode } from 'react';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { call } from '../api/client';
import { CameraButton } from '../camera/CameraDock';
import { QuickEntryButton } from '../quick/QuickEntryButton';
import { notify } from '../feedback/notify';
import { openStudent } from '../scan/lookup-scan';
import { QUEUE_FORM, useSearchStore, type CompletionFilter, type SearchForm } from '../store/search';
import { useStudentStore } from '../store/student';
import { STUDENT_NO_INPUT_ID, focusStudentNoInput } from './focus';
import { Kbd } from './Kbd';

const t = zhCN.ui.search;
const FILTERS: CompletionFilter[] = ['all', 'done', 'notDone'];

/**
 * One match opens straight away: typing a full 学号 and Enter should feel like a scan. A student
 * who left this counter (moved to another college, withdrawn) is in no search result, but their
 * exact 学号 still opens the card that says where they went.
 */
export async function runSearch(form?: SearchForm): Promise<void> {
  const rows = await useSearchStore.getState().search(form);
  const { total, query, error } = useSearchStore.getState();
  const [only] = rows;
  if (total === 1 && only) await openStudent(only.studentNo);
  else if (total === 0 && !error && query?.studentNo) await openDeparted(query.studentNo);
}

/** A typed 学号 nobody has is answered as a scan of it would be: 未找到学生, with its tone and beep. */
async function openDeparted(studentNo: string): Promise<void> {
  const found = await call('students.lookup', { text: studentNo }).catch(() => null);
  if (found?.students.some((s) => s.studentNo === studentNo)) await openStudent(studentNo);
  else if (found) notify('notFound', zhCN.scan.notFound(studentNo));
}

export function showQueue(): void {
  void runSearch(QUEUE_FORM);
}

export function resetCounter(): void {
  useSearchStore.getState().reset();
  useStudentStore.getState().clear();
  focusStudentNoInput();
}

function TextField({ id, field, label, placeholder, addon }: { id: string; field: 'studentNo' | 'name' | 'idCard'; label: string; placeholder: string; addon?: ReactNode }) {
  const value = useSearchStore((s) => s.form[field]);
  const setField = useSearchStore((s) => s.setField);
  return (
    <div className={addon ? 'form-row has-addon' : 'form-row'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setField(field, e.target.value)}
      />
      {addon}
    </div>
  );
}

function FilterField({ id, field, label }: { id: string; field: 'prereq' | 'current'; label: string }) {
  const value = useSearchStore((s) => s.form[field]);
  const setField = useSearchStore((s) => s.setField);
  return (
    <div className="form-filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => setField(field, e.target.value as CompletionFilter)}>
        {FILTERS.map((f) => (
          <option key={f} value={f}>
            {t.filter[f]}
          </option>
        ))}
      </select>
    </div>
  );
}

export function SearchPanel() {
  const loading = useSearchStore((s) => s.loading);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void runSearch();
  };
  const onReset = (e: FormEvent) => {
    e.preventDefault();
    resetCounter();
  };
  return (
    <section className="card search-card" aria-labelledby="search-title">
      <h2 id="search-title" className="card-title">
        {t.title}
      </h2>
      <form className="search-form" onSubmit={onSubmit} onReset={onReset}>
        <TextField id={STUDENT_NO_INPUT_ID} field="studentNo" label={t.studentNo} placeholder={t.studentNoPlaceholder} addon={<CameraButton />} />
        <TextField id="search-name" field="name" label={t.name} placeholder={t.namePlaceholder} />
        <TextField id="search-id-card" field="idCard" label={t.idCard} placeholder={t.idCardPlaceholder} />
        <div className="form-filters">
          <FilterField id="search-prereq" field="prereq" label={t.prereq} />
          <FilterField id="search-current" field="current" label={t.current} />
        </div>
        <div className="search-actions">
          <button type="submit" className="btn btn-primary" disabled={loading}>
            {t.submit} <Kbd action="search" />
          </button>
          <button type="reset" className="btn">
            {t.reset} <Kbd action="reset" />
          </button>
          <button type="button" className="btn btn-queue" title={t.queueHint} onClick={showQueue}>
            {t.queue} <Kbd action="queue" />
          </button>
        </div>
        <QuickEntryButton />
      </form>
    </section>
  );
}
