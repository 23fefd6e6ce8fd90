import type { ChangeEvent } from '../../src-shared/contract/counter-api';

export type ChangeListener = (event: ChangeEvent) => void;

/**
 * Tells whoever shows data (the renderer, via IPC or SSE) that step states changed, after the
 * transaction committed. A failing listener must not keep the others from hearing.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ChangeEvent): void {
    if (event.studentNos.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (e) {
        console.error('change listener failed', e);
      }
    }
  }
}
