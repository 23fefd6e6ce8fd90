import { EventEmitter } from 'node:events';

/** Tells open event streams that the global seq moved, after the change is committed. */
export class ChangeNotifier {
  private readonly emitter = new EventEmitter();
  private latest = 0;

  constructor() {
    // One listener per connected counter; hundreds are normal.
    this.emitter.setMaxListeners(0);
  }

  committed(seq: number): void {
    if (seq <= this.latest) return;
    this.latest = seq;
    this.emitter.emit('seq', seq);
  }

  subscribe(listener: (seq: number) => void): () => void {
    this.emitter.on('seq', listener);
    return () => this.emitter.off('seq', listener);
  }
}
