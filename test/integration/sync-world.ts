import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { readSession, type Replica } from '../../src-main/db';
import { applyOps, type MutationRequest } from '../../src-main/counter/mutate';
import { connectCounter } from '../../src-main/sync/connect';
import type { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { fileTokenStore } from '../../src-main/sync/device-token-store';
import { SyncClient, type SyncClientOptions } from '../../src-main/sync/sync-client';
import { ops, stepStates, waivers } from '../../src-server/db/schema';
import { PASSWORD, registrationCode, seedSmallWorld } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';

/**
 * A real server (in-process, PGlite in memory unless told otherwise) reached through a TCP relay the test can cut,
 * and counters with real replica files. Shared by the sync-*.test.ts files.
 */

/** Forwards TCP to the server; down() drops every connection and refuses new ones, like a pulled cable. */
export class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** When set, each new connection's answer is cut after this many bytes, mid-stream. */
  responseBudget: number | null = null;

  constructor(private readonly target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      const budget = this.responseBudget;
      upstream.connect(this.target.port, this.target.host, () => this.link(client, upstream, budget, drop));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Passes bytes both ways once the upstream connection is open. */
  protected link(client: Socket, upstream: Socket, budget: number | null, drop: () => void): void {
    client.pipe(upstream);
    if (budget === null) {
      upstream.pipe(client);
      return;
    }
    let left = budget;
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk.subarray(0, Math.max(0, left)));
      left -= chunk.length;
      if (left <= 0) drop();
    });
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface Counter {
  replica: Replica;
  client: SyncClient;
  deviceId: string;
  do(requests: MutationRequest[]): void;
  /** Local view of one step. */
  state(studentNo: string, stepId: string): { status: string; version: number; note: string };
}

export class SyncWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'lixiao-sync-'));
  readonly counters: Counter[] = [];
  server!: TestServer;
  relay!: Relay;
  private readonly relays: Relay[] = [];
  batchId = '';
  private n = 0;

  constructor(private readonly backend: Backend = 'pglite') {}

  async start(): Promise<void> {
    this.server = await startTestServer(this.backend, { watchIntervalMs: 200 });
    ({ batchId: this.batchId } = await seedSmallWorld(this.server.database.db, this.server.batches));
    const target = new URL(this.server.url);
    this.relay = new Relay({ host: target.hostname, port: Number(target.port) });
    await this.relay.up();
  }

  /** A relay of its own, so that one counter can go offline alone. */
  async ownRelay(): Promise<Relay> {
    const target = new URL(this.server.url);
    const relay = new Relay({ host: target.hostname, port: Number(target.port) });
    await relay.up();
    this.relays.push(relay);
    return relay;
  }

  async counter(operatorNo: string, options: SyncClientOptions = {}, relay = this.relay): Promise<Counter> {
    this.n += 1;
    const path = join(this.dir, `counter-${this.n}.db`);
    const replica = await connectCounter({
      serverUrl: relay.url,
      operatorNo,
      password: PASSWORD,
      counterName: `柜台${this.n}`,
      batchId: this.batchId,
      path,
      registrationCode: await this.registrationCode(),
    });
    return this.wrap(replica, options, relay);
  }

  /** A one-time code for registering one more counter. */
  registrationCode(): Promise<string> {
    return registrationCode(this.server.database.db);
  }

  wrap(replica: Replica, options: SyncClientOptions = {}, relay = this.relay): Counter {
    const session = readSession(replica.sqlite, replica.batch);
    const client = new SyncClient(replica, { serverUrl: relay.url, token: tokenOf(replica) }, { backoffBaseMs: 50, backoffMaxMs: 500, ...options });
    const counter: Counter = {
      replica,
      client,
      deviceId: session.deviceId,
      do: (requests) => {
        const { refusals } = applyOps(replica, readSession(replica.sqlite, replica.batch), requests);
        if (refusals.length > 0) throw new Error(refusals.map((r) => r.message).join('; '));
      },
      state: (studentNo, stepId) =>
        replica.sqlite.prepare('select status, version, note from step_states where student_no = ? and step_id = ?').get(studentNo, stepId) as {
          status: string;
          version: number;
          note: string;
        },
    };
    this.counters.push(counter);
    return counter;
  }

  async serverOps(deviceId: string) {
    return this.server.database.db.select().from(ops).where(eq(ops.deviceId, deviceId)).orderBy(ops.deviceSeq);
  }

  /** Every replica's local view equals the server's rows (absent server rows = pending, version 0). */
  async serverView(): Promise<Map<string, { status: string; version: number; note: string }>> {
    const rows = await this.server.database.db.select().from(stepStates);
    return new Map(rows.map((r) => [`${r.studentNo}/${r.stepId}`, { status: r.status, version: r.version, note: r.note }]));
  }

  async serverWaivers(): Promise<Map<string, { lifted: boolean; version: number }>> {
    const rows = await this.server.database.db.select().from(waivers);
    return new Map(rows.map((r) => [`${r.studentNo}/${r.stepId}`, { lifted: r.lifted, version: r.version }]));
  }

  async stop(): Promise<void> {
    for (const c of this.counters) {
      await c.client.stop();
      if (c.replica.sqlite.open) c.replica.close();
    }
    for (const relay of [this.relay, ...this.relays]) await relay?.down();
    await this.server?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The device token connectCounter stored next to the replica (the file token store). */
/** A counter API call on a runtime; an `ok: false` answer fails the test with its message. */
export async function dispatchOk(runtime: CounterRuntime, method: string, input: unknown = {}): Promise<Record<string, unknown>> {
  const response = await runtime.dispatch(method, input);
  if (!response.ok) throw new Error(`${method}: ${response.error.message}`);
  return response.value as Record<string, unknown>;
}

export function tokenOf(replica: Replica): string {
  const token = fileTokenStore.read(replica.path);
  if (token === null) throw new Error(`no device token stored for ${replica.path}`);
  return token;
}

/** Local view of every step that applies, as the server would spell it. */
export function localView(replica: Replica): Map<string, { status: string; version: number; note: string }> {
  const rows = replica.sqlite.prepare("select student_no, step_id, status, version, note from step_states where status <> 'na'").all() as {
    student_no: string;
    step_id: string;
    status: string;
    version: number;
    note: string;
  }[];
  return new Map(rows.map((r) => [`${r.student_no}/${r.step_id}`, { status: r.status, version: r.version, note: r.note }]));
}

/** Polls until the check passes (or throws its last failure after the time limit). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
  }
}
