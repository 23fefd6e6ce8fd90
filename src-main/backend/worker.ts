import { parentPort, workerData } from 'node:worker_threads';
import { CounterRuntime } from '../sync/counter-runtime';
import type { FromWorker, ToWorker, WorkerInit } from './protocol';
import { RelayedTokenStore } from './relayed-token-store';

/**
 * The counter back end on its own thread: SQLite work, imports and reports run here so the
 * Electron main thread only relays messages and the window never freezes.
 */
const port = parentPort;
if (!port) throw new Error('backend worker must run in a worker thread');
const send = (msg: FromWorker) => port.postMessage(msg);

async function start(init: WorkerInit): Promise<void> {
  if (init.nativeBinding) process.env['LIXIAO_SQLITE_BINDING'] = init.nativeBinding;
  const tokens = new RelayedTokenStore(init.dbPath, init.deviceToken, send, 'deviceToken');
  const idKeys = new RelayedTokenStore(init.dbPath, init.idHashKey, send, 'idHashKey');
  // Answered while the runtime opens: an old replica's secrets are moved out before 'ready'.
  port!.on('message', (msg: ToWorker) => {
    if (msg.type === 'tokenStored') (msg.secret === 'idHashKey' ? idKeys : tokens).settle(msg);
  });
  let runtime: CounterRuntime;
  try {
    // Without a replica file yet, the runtime serves the first-run setup screen.
    runtime = new CounterRuntime({ path: init.dbPath, tokens, idKeys });
    await runtime.ready;
  } catch (e) {
    send({ type: 'fatal', message: (e as Error).message });
    return;
  }
  runtime.subscribe((event) => send({ type: 'change', event }));
  port!.on('message', (msg: ToWorker) => {
    if (msg.type === 'call') {
      void runtime.dispatch(msg.method, msg.input).then((response) => send({ type: 'result', id: msg.id, response }));
    } else if (msg.type === 'close') {
      void runtime.close().finally(() => send({ type: 'closed' }));
    }
  });
  send({ type: 'ready' });
}

void start(workerData as WorkerInit);
