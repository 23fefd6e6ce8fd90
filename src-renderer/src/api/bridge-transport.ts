import type { CounterTransport, Input, Method, Output } from '../../../src-shared/contract/counter-api';
import type { LixiaoBridge } from './bridge';
import { unwrap } from './response';

/** Electron: calls go over the preload's IPC bridge. */
export class BridgeTransport implements CounterTransport {
  constructor(private readonly bridge: LixiaoBridge) {}

  async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    return unwrap<Output<M>>(await this.bridge.call(method, input));
  }

  subscribe(listener: Parameters<CounterTransport['subscribe']>[0]): () => void {
    return this.bridge.onChange(listener);
  }
}
