import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { ids, sampleEvent, type CloudStoreContext } from './cloud-store-fixtures.ts';

const URL_A = 'https://receiver.example.jp/genkan?token=abc';
const SECRET = 'whsec-0123456789abcdef';
const HOUR = 3_600_000;

/** Resolves once the wall clock has moved on: two uploads then get distinct receipt times. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const later = (ms: number): Date => new Date(Date.now() + ms);

/**
 * The facilities' outgoing webhooks (WebhookStore): setting, the cursor, retries and the lease that lets
 * one process at a time deliver. Part of the CloudStore contract (cloud-store.ts).
 */
export function describeWebhooksContract(ctx: CloudStoreContext): void {
  describe('webhooks', () => {
    describeWebhooks(ctx);
  });
}

function describeWebhooks(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(async () => {
    store = ctx.store;
    await store.addHub('hub-a', 'fac-a');
    await store.addHub('hub-b', 'fac-b');
  });

  /** Stores `events` for fac-a in one upload, after the clock has moved on. */
  async function upload(events: AttendanceEvent[], facilityId = 'fac-a'): Promise<AttendanceEvent[]> {
    await nextMillisecond();
    await store.insertBatch(facilityId, facilityId === 'fac-a' ? 'hub-a' : 'hub-b', events);
    return events;
  }

  /** The facility's events in receipt order (by receipt time, then id), as delivery sees them. */
  async function inReceiptOrder(facilityId = 'fac-a'): Promise<string[]> {
    return ids((await store.eventsReceivedSince(facilityId, '2000-01-01T00:00:00Z', null, 500)).events);
  }

  /** Sets fac-a's webhook now, after the clock has moved on past earlier uploads. */
  async function setWebhook(facilityId = 'fac-a'): Promise<Date> {
    await nextMillisecond();
    const now = new Date();
    await store.webhooks.set(facilityId, URL_A, SECRET, now);
    return now;
  }

  it('is set for a known facility with a checked URL and secret, and shown without the secret', async () => {
    expect(await store.webhooks.get('fac-a')).toBeUndefined();
    const now = await setWebhook();
    const shown = await store.webhooks.get('fac-a');
    expect(shown).toStrictEqual({
      facilityId: 'fac-a',
      url: URL_A,
      createdAt: now.toISOString(),
      since: now.toISOString(),
      cursor: null,
      attempts: 0,
      nextAttemptAt: now.toISOString(),
      lastAttemptAt: null,
      lastStatus: null,
      lastError: null,
      pending: 0,
    });
    expect(JSON.stringify(shown)).not.toContain(SECRET);
    await store.webhooks.set('fac-b', 'http://127.0.0.1:8080/hook', SECRET, now);
    await store.webhooks.set('fac-b', 'http://localhost/hook', SECRET, now);
  });

  it('refuses an unknown facility, a malformed or plain-http URL and a weak secret', async () => {
    const now = new Date();
    const refusals: [() => Promise<void>, string][] = [
      [() => store.webhooks.set('fac-nobody', URL_A, SECRET, now), CloudErrorCodes.unknownFacility],
      [() => store.webhooks.set('bad id', URL_A, SECRET, now), CloudErrorCodes.invalidId],
      [() => store.webhooks.set('fac-a', 'not a url', SECRET, now), 'invalid_webhook_url'],
      [() => store.webhooks.set('fac-a', 'ftp://example.jp/x', SECRET, now), 'invalid_webhook_url'],
      [() => store.webhooks.set('fac-a', 'http://example.jp/hook', SECRET, now), 'webhook_url_insecure'],
      [() => store.webhooks.set('fac-a', URL_A, 'short', now), 'weak_webhook_secret'],
      [
        () => store.webhooks.set('fac-a', URL_A, 'with a space in it, long enough', now),
        'weak_webhook_secret',
      ],
    ];
    for (const [call, code] of refusals) await expect(call()).rejects.toMatchObject({ code });
    expect(await store.webhooks.get('fac-a')).toBeUndefined();
  });

  it('counts as pending the events received since it was set, and reads them in receipt order', async () => {
    await upload([sampleEvent(), sampleEvent()]);
    const now = await setWebhook();
    const first = await upload([sampleEvent(), sampleEvent(), sampleEvent()]);
    const second = await upload([sampleEvent({ type: 'check_out' }), sampleEvent()]);
    await upload([sampleEvent()], 'fac-b');
    expect((await store.webhooks.get('fac-a'))?.pending).toBe(5);
    const order = (await inReceiptOrder()).filter((id) => ids([...first, ...second]).includes(id));

    const all = await store.webhooks.events('fac-a', now.toISOString(), null, later(HOUR), 100);
    expect(ids(all.events)).toEqual(order);
    const byId = new Map(all.events.map((e) => [e.id, e]));
    for (const e of [...first, ...second]) expect(byId.get(e.id)).toStrictEqual(e);

    // Paged by the position of the last event read; `through` a position includes it and stops there.
    const head = await store.webhooks.events('fac-a', now.toISOString(), null, later(HOUR), 2);
    expect(ids(head.events)).toEqual(order.slice(0, 2));
    const headEnd = head.last;
    expect(headEnd).not.toBeNull();
    if (headEnd === null) return;
    const rest = await store.webhooks.events('fac-a', now.toISOString(), headEnd, later(HOUR), 100);
    expect(ids(rest.events)).toEqual(order.slice(2));
    const upToHead = await store.webhooks.events('fac-a', now.toISOString(), null, headEnd, 100);
    expect(ids(upToHead.events)).toEqual(order.slice(0, 2));
    expect(upToHead.last).toStrictEqual(headEnd);
    // `through` an instant: nothing received after it.
    const none = await store.webhooks.events(
      'fac-a',
      now.toISOString(),
      null,
      new Date(now.getTime() - 1),
      100,
    );
    expect(none).toStrictEqual({ events: [], last: null });
  });

  it('leases a due webhook with settled events to one owner until the lease runs out', async () => {
    await setWebhook();
    const now = new Date();
    expect(await store.webhooks.leaseDue('w1', now, later(HOUR), later(HOUR))).toBeUndefined();
    await upload([sampleEvent()]);
    // Events received after `settled` do not make it due yet.
    expect(await store.webhooks.leaseDue('w1', later(0), later(HOUR), now)).toBeUndefined();
    const lease = await store.webhooks.leaseDue('w1', later(0), later(60_000), later(HOUR));
    expect(lease).toMatchObject({
      facilityId: 'fac-a',
      url: URL_A,
      secret: SECRET,
      cursor: null,
      batchEnd: null,
      attempts: 0,
      owner: 'w1',
    });
    expect(await store.webhooks.leaseDue('w2', later(0), later(60_000), later(HOUR))).toBeUndefined();
    // Past its end (a process died holding it), another owner takes it over.
    const taken = await store.webhooks.leaseDue('w2', later(61_000), later(120_000), later(HOUR));
    expect(taken?.owner).toBe('w2');
    // The first owner's outcome no longer counts.
    expect(
      await store.webhooks.delivered(
        'fac-a',
        'w1',
        { receivedAt: new Date().toISOString(), id: 'x' },
        '200',
        new Date(),
      ),
    ).toBe(false);
    expect((await store.webhooks.get('fac-a'))?.cursor).toBeNull();
  });

  it('moves the cursor on delivery and is due again at once for what came since', async () => {
    const since = await setWebhook();
    await upload([sampleEvent(), sampleEvent(), sampleEvent()]);
    const lease = await store.webhooks.leaseDue('w1', new Date(), later(60_000), later(HOUR));
    if (lease === undefined) throw new Error('not leased');
    const page = await store.webhooks.events('fac-a', lease.since, lease.cursor, later(HOUR), 2);
    if (page.last === null) throw new Error('no events');
    const at = new Date();
    expect(await store.webhooks.delivered('fac-a', 'w1', page.last, '204', at)).toBe(true);
    const shown = await store.webhooks.get('fac-a');
    expect(shown).toMatchObject({
      since: since.toISOString(),
      cursor: page.last,
      attempts: 0,
      lastStatus: '204',
      lastError: null,
      lastAttemptAt: at.toISOString(),
      pending: 1,
    });
    const next = await store.webhooks.leaseDue('w2', later(0), later(60_000), later(HOUR));
    expect(next?.cursor).toStrictEqual(page.last);
    const rest = await store.webhooks.events('fac-a', since.toISOString(), page.last, later(HOUR), 100);
    expect(rest.events).toHaveLength(1);
    if (rest.last === null) throw new Error('no events');
    expect(await store.webhooks.delivered('fac-a', 'w2', rest.last, '200', new Date())).toBe(true);
    expect((await store.webhooks.get('fac-a'))?.pending).toBe(0);
    expect(await store.webhooks.leaseDue('w3', later(0), later(60_000), later(HOUR))).toBeUndefined();
  });

  it('after a failure, backs off and retries the same batch; release counts no attempt', async () => {
    await setWebhook();
    await upload([sampleEvent(), sampleEvent()]);
    const lease = await store.webhooks.leaseDue('w1', new Date(), later(60_000), later(HOUR));
    if (lease === undefined) throw new Error('not leased');
    const page = await store.webhooks.events('fac-a', lease.since, null, later(HOUR), 100);
    if (page.last === null) throw new Error('no events');
    const failedAt = new Date();
    const retryAt = new Date(failedAt.getTime() + 30_000);
    const failure = { status: '500', error: 'HTTP 500', batchEnd: page.last, nextAttemptAt: retryAt };
    expect(await store.webhooks.failed('fac-a', 'other', failure, failedAt)).toBe(false);
    expect(await store.webhooks.failed('fac-a', 'w1', failure, failedAt)).toBe(true);
    expect(await store.webhooks.get('fac-a')).toMatchObject({
      attempts: 1,
      nextAttemptAt: retryAt.toISOString(),
      lastStatus: '500',
      lastError: 'HTTP 500',
      lastAttemptAt: failedAt.toISOString(),
      cursor: null,
      pending: 2,
    });
    // Not before the retry time, even with new events.
    await upload([sampleEvent()]);
    expect(await store.webhooks.leaseDue('w2', later(0), later(60_000), later(HOUR))).toBeUndefined();
    const retry = await store.webhooks.leaseDue('w2', later(31_000), later(90_000), later(HOUR));
    expect(retry).toMatchObject({ attempts: 1, batchEnd: page.last, cursor: null });
    // The retry reads the same batch, not the event that came since.
    const again = await store.webhooks.events('fac-a', lease.since, null, page.last, 100);
    expect(ids(again.events)).toEqual(ids(page.events));
    await store.webhooks.release('fac-a', 'w2');
    expect((await store.webhooks.get('fac-a'))?.attempts).toBe(1);
    const third = await store.webhooks.leaseDue('w3', later(31_000), later(90_000), later(HOUR));
    expect(third?.attempts).toBe(1);
    // A success clears the failure and the kept batch.
    expect(await store.webhooks.delivered('fac-a', 'w3', page.last, '200', new Date())).toBe(true);
    const after = await store.webhooks.leaseDue('w4', later(31_000), later(90_000), later(HOUR));
    expect(after).toMatchObject({ attempts: 0, batchEnd: null, cursor: page.last });
  });

  it('set again replaces URL and secret, keeps the cursor and is tried at once; remove ends it', async () => {
    const since = await setWebhook();
    await upload([sampleEvent(), sampleEvent()]);
    const lease = await store.webhooks.leaseDue('w1', new Date(), later(60_000), later(HOUR));
    const page = await store.webhooks.events('fac-a', since.toISOString(), null, later(HOUR), 1);
    if (lease === undefined || page.last === null) throw new Error('not leased');
    await store.webhooks.delivered('fac-a', 'w1', page.last, '200', new Date());
    const second = await store.webhooks.leaseDue('w2', new Date(), later(60_000), later(HOUR));
    if (second === undefined) throw new Error('not leased');
    await store.webhooks.failed(
      'fac-a',
      'w2',
      { status: 'timeout', error: 'no answer', batchEnd: page.last, nextAttemptAt: later(HOUR) },
      new Date(),
    );
    await store.webhooks.set('fac-a', 'https://other.example.jp/in', 'another-secret-0123456789', new Date());
    const shown = await store.webhooks.get('fac-a');
    expect(shown).toMatchObject({
      url: 'https://other.example.jp/in',
      since: since.toISOString(),
      cursor: page.last,
      attempts: 0,
      pending: 1,
    });
    const retried = await store.webhooks.leaseDue('w3', later(0), later(60_000), later(HOUR));
    expect(retried).toMatchObject({ secret: 'another-secret-0123456789', cursor: page.last });

    expect(await store.webhooks.remove('fac-a')).toBe(true);
    expect(await store.webhooks.get('fac-a')).toBeUndefined();
    expect(await store.webhooks.remove('fac-a')).toBe(false);
    expect(await store.webhooks.leaseDue('w4', later(0), later(60_000), later(HOUR))).toBeUndefined();
  });

  it('gives each due webhook to exactly one of several owners asking at once', async () => {
    await store.addHub('hub-c', 'fac-c');
    for (const f of ['fac-a', 'fac-b', 'fac-c']) await setWebhook(f);
    await upload([sampleEvent()], 'fac-a');
    await upload([sampleEvent()], 'fac-b');
    await nextMillisecond();
    await store.insertBatch('fac-c', 'hub-c', [sampleEvent()]);
    const now = later(1);
    const leases = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.webhooks.leaseDue(`w${String(i)}`, now, later(60_000), later(HOUR)),
      ),
    );
    const taken = leases.filter((l) => l !== undefined).map((l) => l.facilityId);
    expect(taken.sort()).toEqual(['fac-a', 'fac-b', 'fac-c']);
  });
}
