import { EventEmitter } from 'node:events';
import type { SyncPosition } from '../../src-shared/contract/sync';

export interface Committed {
  seq: number;
  history: string;
}

/**
 * Tells open event streams that the global seq moved, or that the history changed (a restore:
 * the seq may then be lower than before), after the change is committed.
 */
export class ChangeNotifier {
  private readonly emitter = new EventEmitter();
  private latest: Committed | null = null;

  constructor() {
    // One listener per connected counter; hundreds are normal.
    this.emitter.setMaxListeners(0);
  }

  committed(at: Pick<SyncPosition, 'seq'> & { history: { id: string } }): void {
    const next = { seq: at.seq, history: at.history.id };
    const latest = this.latest;
    if (latest && latest.history === next.history && next.seq <= latest.seq) return;
    this.latest = next;
    this.emitter.emit('change', next);
  }

  subscribe(listener: (change: Committed) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
