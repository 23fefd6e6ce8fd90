import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentSeq } from '../sync/seq';
import type { ServerContext } from './context';

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events "changed" with the global seq, at once and after every commit, for pages
 * that re-read what they show on any change (the console's dashboards, the student page). After
 * a restore the seq may go down: readers refetch on any event, whatever its seq. The caller has
 * checked who is asking.
 */
export async function streamSeqChanges(server: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const seq = await currentSeq(server.db);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  const send = (value: number) => res.write(`event: changed\ndata: ${JSON.stringify({ seq: value })}\n\n`);
  send(seq);
  const unsubscribe = server.notifier.subscribe((change) => send(change.seq));
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
