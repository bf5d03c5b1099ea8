import { createECDH, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import webpush from 'web-push';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { sampleEvent, sampleSnapshot } from '../../test/contract/cloud-store.ts';
import { checkVapid, decryptAes128gcm, TestPushService } from '../../test/support/push-endpoint.ts';
import { endpointAllowed, endpointRef } from './endpoint.ts';
import { isNews, newsOf, pushPayload, type NewsEvent } from './message.ts';
import { PushQueue } from './queue.ts';

/**
 * The parts of Web Push to parents (issue 17) on their own: the payload's words, which endpoints the cloud
 * sends to, the send queue, and the local push service the tests use (test/support/push-endpoint.ts)
 * checked against web-push's own encryption and VAPID headers. End to end: cloud-relay/parent-push.test.ts.
 */

const open: TestPushService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function pushService(): Promise<TestPushService> {
  const service = await TestPushService.start();
  open.push(service);
  return service;
}

/** A check-in or check-out, typed as news. */
function news(overrides: Parameters<typeof sampleEvent>[0]): NewsEvent {
  const event = sampleEvent(overrides);
  if (!isNews(event)) throw new Error('not a check-in or check-out');
  return event;
}

const checkIn = (childId: string, time = '08:05'): NewsEvent =>
  news({ childId, occurredAt: `2026-04-01T${time}:00.000+09:00` });

describe('the local push service (test support)', () => {
  /** A browser's keys, as the service makes them, kept here to decrypt directly. */
  function browserKeys(): { ecdh: ReturnType<typeof createECDH>; auth: Buffer; p256dh: string } {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return { ecdh, auth: randomBytes(16), p256dh: ecdh.getPublicKey().toString('base64url') };
  }

  it('decrypts what web-push encrypts, short and long, and refuses another secret', () => {
    const keys = browserKeys();
    for (const text of ['{"title":"ひまわり保育園"}', 'x'.repeat(3000)]) {
      const { cipherText } = webpush.encrypt(keys.p256dh, keys.auth.toString('base64url'), text, 'aes128gcm');
      expect(decryptAes128gcm(cipherText, keys).toString('utf8')).toBe(text);
    }
    const { cipherText } = webpush.encrypt(keys.p256dh, keys.auth.toString('base64url'), 'hi', 'aes128gcm');
    expect(() => decryptAes128gcm(cipherText, { ...keys, auth: randomBytes(16) })).toThrow();
  });

  it('checks the VAPID header web-push makes: its signature, audience and expiry', () => {
    const vapid = webpush.generateVAPIDKeys();
    const header = (audience: string, publicKey = vapid.publicKey): string =>
      webpush.getVapidHeaders(audience, 'mailto:ops@example.jp', publicKey, vapid.privateKey, 'aes128gcm')
        .Authorization;
    const now = Math.floor(Date.now() / 1000);
    expect(checkVapid(header('http://127.0.0.1:1'), 'http://127.0.0.1:1', now)).toMatchObject({
      vapidKey: vapid.publicKey,
      claims: { aud: 'http://127.0.0.1:1', sub: 'mailto:ops@example.jp' },
    });
    expect(() => checkVapid(header('http://127.0.0.1:2'), 'http://127.0.0.1:1', now)).toThrow(/aud/);
    expect(() => checkVapid(header('http://127.0.0.1:1'), 'http://127.0.0.1:1', now + 2 * 86_400)).toThrow(
      /exp/,
    );
    const other = webpush.generateVAPIDKeys().publicKey;
    expect(() => checkVapid(header('http://127.0.0.1:1', other), 'http://127.0.0.1:1', now)).toThrow(
      /signature/,
    );
    expect(() => checkVapid(undefined, 'http://127.0.0.1:1', now)).toThrow();
  });

  it('takes a push web-push makes for one of its subscriptions, and answers what it is told to', async () => {
    const service = await pushService();
    const subscription = service.subscribe();
    const vapid = { subject: 'mailto:ops@example.jp', ...webpush.generateVAPIDKeys() };
    const post = async (): Promise<number> => {
      const details = webpush.generateRequestDetails(subscription, '{"hello":"世界"}', {
        vapidDetails: vapid,
        TTL: 60,
        urgency: 'high',
      });
      const res = await fetch(details.endpoint, {
        method: 'POST',
        // Typed as strings, yet TTL and Content-Length come as numbers.
        headers: Object.fromEntries(
          Object.entries(details.headers as Record<string, string | number>).map(([k, v]) => [k, String(v)]),
        ),
        body: details.body,
      });
      return res.status;
    };
    expect(await post()).toBe(201);
    const push = await service.waitFor(() => true);
    expect(push).toMatchObject({
      payload: '{"hello":"世界"}',
      ttl: '60',
      urgency: 'high',
      vapidKey: vapid.publicKey,
    });
    service.answer(subscription.endpoint, 410);
    expect(await post()).toBe(410);
    expect(service.received).toHaveLength(1);
  });
});

describe('the words of a push', () => {
  it('names the child and the facility from the snapshot, with the local time without a leading zero', () => {
    const checkOut = news({ type: 'check_out', childId: 'c-001', occurredAt: '2026-04-01T08:32:00Z' });
    expect(pushPayload(checkOut, sampleSnapshot('fac-a'), 'Asia/Tokyo')).toStrictEqual({
      title: 'ひまわり保育園',
      body: '山田 花子さんが降園しました 17:32',
      url: '/parent/',
      tag: 'c-001',
    });
    expect(pushPayload(checkOut, sampleSnapshot('fac-a'), 'Asia/Tokyo', 'en').body).toBe(
      '山田 花子 left at 17:32',
    );
    // Before the hub relayed a snapshot: no names to tell.
    expect(pushPayload(checkIn('c-009'), undefined, 'Asia/Tokyo')).toMatchObject({
      title: '園からのお知らせ',
      body: 'お子さまが登園しました 8:05',
    });
  });
});

describe('which news is pushed', () => {
  it('check-ins and check-outs not voided in the same batch', () => {
    const mistaken = checkIn('c-002');
    const kept = checkIn('c-001');
    const out = sampleEvent({ type: 'check_out', childId: 'c-003' });
    const news = newsOf([
      kept,
      mistaken,
      sampleEvent({ type: 'void', voids: mistaken.id, method: 'staff', actor: 'staff-1' }),
      sampleEvent({ type: 'absent', childId: 'c-004', method: 'staff', actor: 'staff-1' }),
      out,
    ]);
    expect(news.map((e) => e.id)).toStrictEqual([kept.id, out.id]);
  });
});

describe('push endpoints', () => {
  it('are https to a named host, unless insecure ones are allowed', () => {
    expect(endpointAllowed('https://fcm.googleapis.com/fcm/send/abc', false)).toBe(true);
    expect(endpointAllowed('https://web.push.apple.com/QGx', false)).toBe(true);
    for (const bad of [
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://127.0.0.1/push',
      'https://[::1]/push',
      'https://localhost/push',
      'https://a.localhost/push',
      'https://user:pw@push.example.com/x',
      'not a url',
      'ftp://push.example.com/x',
    ]) {
      expect(endpointAllowed(bad, false), bad).toBe(false);
    }
    expect(endpointAllowed('http://127.0.0.1:9/push', true)).toBe(true);
    expect(endpointAllowed('ftp://127.0.0.1:9/push', true)).toBe(false);
  });

  it('are named in logs by a hash prefix only', () => {
    const ref = endpointRef('https://fcm.googleapis.com/fcm/send/abc');
    expect(ref).toMatch(/^[0-9a-f]{12}$/);
    expect(endpointRef('https://fcm.googleapis.com/fcm/send/abd')).not.toBe(ref);
  });
});

describe('the push queue', () => {
  function logged(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    return { lines, logger: createLogger({ level: 'info', destination: sink }) };
  }

  /** A job that runs until released, recording its start. */
  function gated(started: number[], n: number): { job: () => Promise<void>; release: () => void } {
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    return {
      job: () => {
        started.push(n);
        return done;
      },
      release: () => {
        release();
      },
    };
  }

  it('runs a few jobs at a time, in order, and drops the oldest waiting ones when full', async () => {
    const { lines, logger } = logged();
    const queue = new PushQueue({ concurrency: 2, maxWaiting: 2, logger });
    const started: number[] = [];
    const jobs = [1, 2, 3, 4, 5, 6].map((n) => gated(started, n));
    for (const j of jobs) queue.add(j.job);
    // 1 and 2 run; of 3–6 waiting, 3 and 4 were dropped for 5 and 6.
    expect(started).toStrictEqual([1, 2]);
    expect(queue.size).toBe(4);
    expect(lines.join('')).toContain('push queue full');
    jobs[0]?.release();
    jobs[1]?.release();
    await settled(() => started.length === 4);
    expect(started).toStrictEqual([1, 2, 5, 6]);
    for (const j of jobs) j.release();
    await queue.close(1000);
  });

  it('keeps going after a failing job, and close() waits for running jobs at most its bound', async () => {
    const { lines, logger } = logged();
    const queue = new PushQueue({ concurrency: 1, maxWaiting: 10, logger });
    const ran: string[] = [];
    queue.add(() => Promise.reject(new Error('push service down')));
    queue.add(() => {
      ran.push('after');
      return Promise.resolve();
    });
    await settled(() => ran.length === 1);
    expect(lines.join('')).toContain('push job failed');
    // A job that never ends does not hold up close() past its bound; jobs waiting are dropped.
    queue.add(() => new Promise<void>(() => undefined));
    queue.add(() => {
      ran.push('never');
      return Promise.resolve();
    });
    const t0 = Date.now();
    await queue.close(100);
    expect(Date.now() - t0).toBeLessThan(2000);
    queue.add(() => {
      ran.push('closed');
      return Promise.resolve();
    });
    expect(ran).toStrictEqual(['after']);
  });
});

/** Waits for a condition that a few microtask turns or timers make true. */
async function settled(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}
