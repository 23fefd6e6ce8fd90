import type { Socket } from 'node:net';
import { Relay } from './sync-world';

/** What the test does to one push as it passes through the relay. */
export interface PushTap {
  /** The whole request has been handed to the server; no answer yet. */
  delivered?(): void;
  /** The server's answer arrived (so it committed); false drops it with the connection instead of passing it on. */
  answer?(): boolean;
}

const PUSH = 'POST /api/sync/push ';

/**
 * A relay that can catch the next push (`POST /api/sync/push`) between counter and server, to
 * kill either side at an exact point of it. It follows HTTP/1.1 requests on each connection by
 * their Content-Length; the counter's client sends one request at a time, so the next bytes
 * from the server after a push are its answer.
 */
export class PushTapRelay extends Relay {
  private armed: PushTap | null = null;
  private fired: (() => void) | null = null;

  /** Catches the next push; resolves once its request is through to the server (after `delivered`). */
  nextPush(tap: PushTap): Promise<void> {
    this.armed = tap;
    return new Promise((resolve) => (this.fired = resolve));
  }

  protected override link(client: Socket, upstream: Socket, budget: number | null, drop: () => void): void {
    if (budget !== null) return super.link(client, upstream, budget, drop);
    let head = '';
    let bodyLeft = 0;
    let pending: PushTap | null = null;
    let awaitingAnswer: PushTap | null = null;

    const requestDone = () => {
      if (!pending) return;
      awaitingAnswer = pending;
      pending = null;
      awaitingAnswer.delivered?.();
      const fired = this.fired;
      this.fired = null;
      fired?.();
    };

    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      let rest = chunk;
      while (rest.length > 0) {
        if (bodyLeft > 0) {
          const taken = Math.min(bodyLeft, rest.length);
          bodyLeft -= taken;
          rest = rest.subarray(taken);
          if (bodyLeft === 0) requestDone();
          continue;
        }
        head += rest.toString('latin1');
        rest = Buffer.alloc(0);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) break;
        const text = head.slice(0, end);
        rest = Buffer.from(head.slice(end + 4), 'latin1');
        head = '';
        bodyLeft = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
        if (text.startsWith(PUSH) && this.armed) {
          pending = this.armed;
          this.armed = null;
        }
        if (bodyLeft === 0) requestDone();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      const tap = awaitingAnswer;
      awaitingAnswer = null;
      if (tap?.answer && !tap.answer()) return drop();
      client.write(chunk);
    });
  }
}
