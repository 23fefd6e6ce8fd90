import { changeEventSchema, type ChangeEvent, type CounterTransport, type Input, type Method, type Output } from '../../../src-shared/contract/counter-api';
import type { LixiaoBridge } from './bridge';
import { unwrap } from './response';

/** Electron: calls go over the preload's IPC bridge. */
export class BridgeTransport implements CounterTransport {
  constructor(private readonly bridge: LixiaoBridge) {}

  async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    return unwrap<Output<M>>(await this.bridge.call(method, input));
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    // Same check as over HTTP: whatever crosses a process boundary is parsed, not trusted.
    return this.bridge.onChange((payload: unknown) => {
      const event = changeEventSchema.safeParse(payload);
      if (event.success) listener(event.data);
    });
  }
}
