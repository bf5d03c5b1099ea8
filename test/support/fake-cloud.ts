import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttendanceEvent, BatchResponse } from '../../protocol/index.ts';

/** A stand-in for the cloud relay in the hub's relay tests: a real HTTP server answering as told. */

export interface Received {
  method: string;
  /** Path and query, e.g. /v1/snapshots/1. */
  url: string;
  auth: string | undefined;
  /** The JSON body (a batch, a snapshot version, an amendment…); undefined for none. */
  body: { hubId: string; facilityId: string; events: AttendanceEvent[] } & Record<string, unknown>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Received['body']) => void;

/** A real HTTP server standing in for the cloud; each request is answered by the next handler. */
export class FakeCloud {
  readonly received: Received[] = [];
  private readonly handlers: Handler[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  readonly server: Server;

  constructor(private readonly fallback: Handler) {
    this.server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        const body = (data === '' ? undefined : JSON.parse(data)) as Received['body'];
        this.received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          auth: req.headers.authorization,
          body,
        });
        (this.handlers.shift() ?? this.fallback)(req, res, body);
        this.waiters = this.waiters.filter((w) => {
          if (this.received.length < w.count) return true;
          w.resolve();
          return false;
        });
      });
    });
  }

  then(...handlers: Handler[]): this {
    this.handlers.push(...handlers);
    return this;
  }

  /** Resolves once `count` requests have been received in total. */
  requests(count: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.received.length >= count) resolve();
      else this.waiters.push({ count, resolve });
    });
  }

  /** `METHOD /path` of each request received, in order. */
  calls(): string[] {
    return this.received.map((r) => `${r.method} ${r.url}`);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
};

/**
 * Takes everything: batches all accepted, snapshot versions and amendments stored, notice confirmations
 * taken; a hub's fetch of parent messages finds none.
 */
export const acceptAll: Handler = (req, res, body) => {
  if (req.method === 'GET' && req.url?.startsWith('/v1/hub/parent-messages?') === true) {
    const after = Number(new URL(req.url, 'http://cloud').searchParams.get('after') ?? 0);
    json(200, { messages: [], cursor: after })(req, res, body);
    return;
  }
  if (req.method === 'POST' && req.url === '/v1/hub/parent-notices/read') {
    json(200, { stored: 0 })(req, res, body);
    return;
  }
  if (req.method === 'PUT') {
    // The deprecated single snapshot answers 204; versions and amendments 200 {stored}.
    if (req.url === '/v1/snapshot') res.writeHead(204).end();
    else json(200, { stored: true })(req, res, body);
    return;
  }
  const answer: BatchResponse = { accepted: body.events.map((e) => e.id), duplicates: [], rejected: [] };
  json(200, answer)(req, res, body);
};

export const dropConnection: Handler = (req) => {
  req.socket.destroy();
};

/** Hands each request on to the cloud at `base` and its answer back (a proxy a test can cut). */
export function forwardTo(base: string, answered: (call: string, status: number) => void): Handler {
  return (req, res, body) => {
    const call = `${req.method ?? ''} ${req.url ?? ''}`;
    void fetch(`${base}${req.url ?? ''}`, {
      method: req.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
      },
      // The relay's requests carry a JSON body, but for the fetch of parent messages (a GET).
      ...(req.method !== 'GET' && { body: JSON.stringify(body) }),
    }).then(
      async (r) => {
        const text = await r.text();
        answered(call, r.status);
        res
          .writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' })
          .end(text);
      },
      () => {
        // The cloud went away (closed at the end of a test): so does the answer.
        res.destroy();
      },
    );
  };
}
