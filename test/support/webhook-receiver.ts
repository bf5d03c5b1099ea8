import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './wait.ts';

/** How the receiver answers one request: a status (at once or after a delay), or never (a hang). */
export type ReceiverAnswer = number | { status: number; afterMs: number } | 'hang';

/** One POST as the receiver got it, with the answer it gave. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as a receiver must verify it (before any JSON parsing). */
  body: string;
  answer: ReceiverAnswer;
}

/**
 * An integrator's webhook endpoint on 127.0.0.1, port 0: records every request with its raw body and
 * answers from a queue (then `fallback`, 200 unless changed); counts requests in progress to show that
 * deliveries never overlap.
 */
export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** Answers for the next requests, in order; then `fallback`. */
  readonly answers: ReceiverAnswer[] = [];
  fallback: ReceiverAnswer = 200;
  inFlight = 0;
  maxInFlight = 0;
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        receiver.answer(req.url ?? '', req.headers, body, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** http://127.0.0.1:PORT + path. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}${path}`;
  }

  /** Resolves with the requests once there are at least `n`. */
  waitFor(n: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    return until(
      () => (this.received.length >= n ? [...this.received] : undefined),
      () => `${String(n)} webhook requests (got ${String(this.received.length)})`,
      { timeoutMs },
    );
  }

  /** Resolves once `check` holds for the requests received so far. */
  waitUntil(
    check: (received: readonly ReceivedRequest[]) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    return until(() => check(this.received), what, { timeoutMs }).then(() => undefined);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private answer(path: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    const answer = this.answers.shift() ?? this.fallback;
    this.received.push({ path, headers, body, answer });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = (status: number): void => {
      this.inFlight -= 1;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    };
    if (answer === 'hang') {
      // Never answered: the sender's timeout ends it (the socket closes from its side).
      this.hanging.add(res);
      res.on('close', () => {
        this.hanging.delete(res);
        this.inFlight -= 1;
      });
    } else if (typeof answer === 'number') {
      done(answer);
    } else {
      // A slow receiver: the delay is the receiver's behaviour under test, not a wait of the test.
      setTimeout(() => {
        done(answer.status);
      }, answer.afterMs);
    }
  }
}
