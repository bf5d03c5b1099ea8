import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
  type ECDH,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Web Push service for tests, on 127.0.0.1 and port 0: what a browser's push service (FCM, Mozilla's,
 * Apple's) is to the cloud. Subscriptions are made here as a browser makes them (a P-256 key pair and a
 * 16-byte auth secret, node:crypto only: no browser involved). Each POST to a subscription's endpoint has
 * its VAPID Authorization header checked (RFC 8292: an ES256 JWT for this origin, not expired, signed by
 * the key it names) and its aes128gcm body decrypted (RFC 8188, RFC 8291) with the subscription's private
 * key and secret; what fails either is answered 401/400 and kept in `refused`.
 */

/** A subscription as the browser's PushSubscription.toJSON() gives it. */
export interface TestSubscription {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

/** A push the service took: its decrypted payload and what came with it. */
export interface ReceivedPush {
  endpoint: string;
  /** The decrypted payload, as UTF-8 text. */
  payload: string;
  /** The VAPID public key that signed it (base64url). */
  vapidKey: string;
  /** The JWT's claims (aud, exp, sub). */
  claims: { aud: string; exp: number; sub: string };
  ttl: string | undefined;
  urgency: string | undefined;
}

/** What only the subscribing browser knows: its private key and auth secret. */
interface Secrets {
  ecdh: ECDH;
  auth: Buffer;
}

interface Held extends Secrets {
  /** The status answered to the subscription's pushes (201 when accepted). */
  status: number;
}

const JWT_MAX_LIFETIME_S = 24 * 3600;

/** RFC 8291 §3.4 and RFC 8188 §2: the content key and nonce of an aes128gcm body. */
function contentKeys(held: Secrets, senderKey: Buffer, salt: Buffer): { cek: Buffer; nonce: Buffer } {
  const receiverKey = held.ecdh.getPublicKey();
  const shared = held.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiverKey, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, held.auth, keyInfo, 32));
  return {
    cek: Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16)),
    nonce: Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12)),
  };
}

/** Decrypts an aes128gcm body (header: salt 16, rs 4, idlen 1, keyid = the sender's public key). */
export function decryptAes128gcm(body: Buffer, held: Secrets): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + idlen);
  if (idlen !== 65 || rs < 18) throw new Error('unexpected aes128gcm header');
  const { cek, nonce } = contentKeys(held, senderKey, salt);
  const records = body.subarray(21 + idlen);
  const plain: Buffer[] = [];
  for (let seq = 0, at = 0; at < records.length; seq += 1, at += rs) {
    const record = records.subarray(at, Math.min(at + rs, records.length));
    const iv = Buffer.from(nonce);
    // The record's nonce: the base nonce XOR its sequence number (big-endian; ours fit 32 bits).
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, iv);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Padding: the delimiter (2 in the last record, 1 before) followed by zeros.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    const last = at + rs >= records.length;
    if (padded[end] !== (last ? 2 : 1)) throw new Error('bad aes128gcm record delimiter');
    plain.push(padded.subarray(0, end));
  }
  return Buffer.concat(plain);
}

/** Checks `vapid t=JWT, k=KEY` (RFC 8292) for `origin`; returns the key and claims, or throws why not. */
export function checkVapid(
  header: string | undefined,
  origin: string,
  nowS: number,
): { vapidKey: string; claims: ReceivedPush['claims'] } {
  const m = /^vapid\s+(.+)$/i.exec(header ?? '');
  if (m?.[1] === undefined) throw new Error('no vapid authorization');
  const params = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const jwt = params.get('t');
  const key = params.get('k');
  if (jwt === undefined || key === undefined) throw new Error('vapid header without t or k');
  const [head, body, signature] = jwt.split('.');
  if (head === undefined || body === undefined || signature === undefined) throw new Error('not a JWT');
  const header_ = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
  if (header_.alg !== 'ES256') throw new Error('JWT is not ES256');
  const point = Buffer.from(key, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 key');
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) throw new Error('JWT signature does not verify with k');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<
    ReceivedPush['claims']
  >;
  if (claims.aud !== origin) throw new Error(`JWT aud ${String(claims.aud)} is not ${origin}`);
  if (typeof claims.exp !== 'number' || claims.exp <= nowS || claims.exp > nowS + JWT_MAX_LIFETIME_S) {
    throw new Error('JWT exp is not within the next 24 hours');
  }
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) {
    throw new Error('JWT sub is no mailto: or https: contact');
  }
  return { vapidKey: key, claims: { aud: claims.aud, exp: claims.exp, sub: claims.sub } };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

export class TestPushService {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  /** Pushes accepted, in arrival order. */
  readonly received: ReceivedPush[] = [];
  /** Requests refused, and why (bad VAPID header, undecryptable body, unknown endpoint). */
  readonly refused: { endpoint: string; reason: string }[] = [];
  private readonly server: Server;
  private readonly held = new Map<string, Held>();
  private readonly waiters = new Set<() => void>();
  private made = 0;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
    this.origin = `http://127.0.0.1:${String(port)}`;
  }

  static async start(): Promise<TestPushService> {
    // The handler needs the service, which needs the bound port.
    const holder: { service?: TestPushService } = {};
    const server = createServer((request, response) => {
      void holder.service?.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    holder.service = new TestPushService(server, (server.address() as AddressInfo).port);
    return holder.service;
  }

  /** A new subscription on this service, with keys made as a browser makes them. */
  subscribe(): TestSubscription {
    this.made += 1;
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const endpoint = `${this.origin}/push/${String(this.made)}-${randomBytes(8).toString('hex')}`;
    this.held.set(endpoint, { ecdh, auth, status: 201 });
    return {
      endpoint,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
  }

  /** Answers the subscription's pushes with `status` from now on (410: the browser unsubscribed). */
  answer(endpoint: string, status: number): void {
    const held = this.held.get(endpoint);
    if (held === undefined) throw new Error('not a subscription of this service');
    held.status = status;
  }

  /** The decrypted payloads the subscription received, in order. */
  payloadsOf(endpoint: string): string[] {
    return this.received.filter((r) => r.endpoint === endpoint).map((r) => r.payload);
  }

  /** The first push (already received or to come) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (push: ReceivedPush) => boolean, timeoutMs = 10_000): Promise<ReceivedPush> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find(predicate);
        if (found === undefined) return false;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(found);
        return true;
      };
      const waiter = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const refused = this.refused.map((r) => r.reason).join('; ');
        reject(new Error(`no matching push within ${String(timeoutMs)} ms (refused: ${refused || 'none'})`));
      }, timeoutMs);
      this.waiters.add(waiter);
      check();
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const endpoint = `${this.origin}${request.url ?? ''}`;
    const body = await readBody(request);
    const outcome = this.take(request, endpoint, body);
    if ('reason' in outcome) this.refused.push({ endpoint, reason: outcome.reason });
    response.writeHead(outcome.status).end();
    if (outcome.status === 201) for (const waiter of [...this.waiters]) waiter();
  }

  /** What a push service answers a POST: 201 when the push is taken, a refusal and why otherwise. */
  private take(
    request: IncomingMessage,
    endpoint: string,
    body: Buffer,
  ): { status: number } | { status: number; reason: string } {
    const held = this.held.get(endpoint);
    if (request.method !== 'POST') return { status: 405, reason: `method ${request.method ?? ''}` };
    if (held === undefined) return { status: 404, reason: 'unknown subscription' };
    let vapid: ReturnType<typeof checkVapid>;
    try {
      vapid = checkVapid(request.headers.authorization, this.origin, Math.floor(Date.now() / 1000));
    } catch (err) {
      return { status: 401, reason: (err as Error).message };
    }
    // Told to answer otherwise (410: the browser unsubscribed): not a refusal of the request.
    if (held.status !== 201) return { status: held.status };
    if (request.headers['content-encoding'] !== 'aes128gcm') return { status: 400, reason: 'not aes128gcm' };
    let payload: string;
    try {
      payload = decryptAes128gcm(body, held).toString('utf8');
    } catch (err) {
      return { status: 400, reason: `undecryptable: ${(err as Error).message}` };
    }
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    this.received.push({ endpoint, payload, ...vapid, ttl: header('ttl'), urgency: header('urgency') });
    return { status: 201 };
  }
}
