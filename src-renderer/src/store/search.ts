import { create } from 'zustand';
import type { SearchInput, StudentSummary } from '../../../src-shared/contract/counter-api';
import { call } from '../api/client';
import { messageOf } from './errors';

export type CompletionFilter = 'all' | 'done' | 'notDone';

export interface SearchForm {
  studentNo: string;
  name: string;
  idCard: string;
  prereq: CompletionFilter;
  current: CompletionFilter;
}

export const EMPTY_FORM: SearchForm = { studentNo: '', name: '', idCard: '', prereq: 'all', current: 'all' };
/** 待办队列: the students this desk can serve right now. */
export const QUEUE_FORM: SearchForm = { ...EMPTY_FORM, prereq: 'done', current: 'notDone' };

/** Rows are fetched in pages as the virtual list scrolls; the back end caps a page at 500. */
export const PAGE_SIZE = 200;

type Query = Omit<SearchInput, 'limit' | 'offset'>;

interface SearchState {
  form: SearchForm;
  query: Query | null;
  total: number;
  pages: Record<number, StudentSummary[]>;
  loading: boolean;
  error: string | null;
  setField<K extends keyof SearchForm>(key: K, value: SearchForm[K]): void;
  /** Resolves to the first page, so a caller can open a single match directly. */
  search(form?: SearchForm): Promise<StudentSummary[]>;
  reset(): void;
  ensureRows(first: number, last: number): void;
  /** Re-reads the pages already shown, after a change somewhere. */
  refreshLoaded(): Promise<void>;
}

function toQuery(form: SearchForm): Query {
  const trimmed = (v: string) => v.trim() || undefined;
  return {
    studentNo: trimmed(form.studentNo),
    name: trimmed(form.name),
    idCard: trimmed(form.idCard)?.toUpperCase(),
    prereq: form.prereq,
    current: form.current,
  };
}

export function rowAt(pages: Record<number, StudentSummary[]>, index: number): StudentSummary | undefined {
  return pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
}

/** Answers that arrive after a newer search started are dropped. */
let generation = 0;
const inFlight = new Set<string>();

export const useSearchStore = create<SearchState>((set, get) => {
  async function fetchPage(query: Query, page: number, gen: number): Promise<StudentSummary[]> {
    const key = `${gen}:${page}`;
    if (inFlight.has(key)) return [];
    inFlight.add(key);
    try {
      const result = await call('students.search', { ...query, limit: PAGE_SIZE, offset: page * PAGE_SIZE });
      if (gen === generation) set((s) => ({ total: result.total, pages: { ...s.pages, [page]: result.rows } }));
      return result.rows;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    form: EMPTY_FORM,
    query: null,
    total: 0,
    pages: {},
    loading: false,
    error: null,
    setField: (key, value) => set((s) => ({ form: { ...s.form, [key]: value } })),
    search: async (form) => {
      const next = form ?? get().form;
      const query = toQuery(next);
      const gen = ++generation;
      set({ form: next, query, pages: {}, total: 0, loading: true, error: null });
      try {
        return await fetchPage(query, 0, gen);
      } catch (e) {
        if (gen === generation) set({ error: messageOf(e) });
        return [];
      } finally {
        if (gen === generation) set({ loading: false });
      }
    },
    reset: () => {
      generation++;
      set({ form: EMPTY_FORM, query: null, pages: {}, total: 0, loading: false, error: null });
    },
    ensureRows: (first, last) => {
      const { query, pages, total } = get();
      if (!query) return;
      const lastPage = Math.floor(Math.min(last, total - 1) / PAGE_SIZE);
      for (let page = Math.floor(first / PAGE_SIZE); page <= lastPage; page++) {
        if (!pages[page]) fetchPage(query, page, generation).catch((e) => set({ error: messageOf(e) }));
      }
    },
    refreshLoaded: async () => {
      const { query, pages } = get();
      if (!query) return;
      const gen = generation;
      await Promise.all(Object.keys(pages).map((p) => fetchPage(query, Number(p), gen))).catch((e) =>
        set({ error: messageOf(e) }),
      );
    },
  };
});
