import type { CounterTransport, Input, Method, Output } from '../../../src-shared/contract/counter-api';
import { BridgeTransport } from './bridge-transport';
import { HttpTransport, takeTokenFromUrl } from './http-transport';

/** The renderer never knows which transport it runs on: Electron IPC when present, else HTTP. */
function createTransport(): CounterTransport & { subscribeToLink?: HttpTransport['subscribeToLink'] } {
  if (window.lixiaoBridge) return new BridgeTransport(window.lixiaoBridge);
  return new HttpTransport(takeTokenFromUrl(window.location, window.history, window.sessionStorage));
}

const transport = createTransport();

export function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  return transport.call(method, input);
}

export const subscribeToChanges: CounterTransport['subscribe'] = (listener) => transport.subscribe(listener);

/** Change-event link state; IPC cannot drop, so over the bridge nobody is ever told otherwise. */
export function subscribeToLink(listener: (live: boolean) => void): () => void {
  return transport.subscribeToLink?.(listener) ?? (() => undefined);
}
