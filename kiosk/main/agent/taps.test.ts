import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  EventSchema,
  generateQrKeyPair,
  importQrPrivateKey,
  signGuardianQr,
  StatusSchema,
  topics,
} from '../../../protocol/index.ts';
import {
  ackedIds,
  DEVICE,
  isTap,
  okTaps,
  ready,
  START,
  tapLine,
  tapVia,
  useKioskAgent,
} from '../../../test/support/kiosk/agent.ts';
import {
  CARD_G1,
  CARD_G3,
  CARD_UNKNOWN,
  FACILITY,
  makeRollcall,
  makeRoster,
  QR_EXPIRES,
  QR_G2,
  signedQr,
} from '../../../test/support/kiosk/fixtures.ts';
import { QR_REFUSAL_MESSAGES } from '../../common/messages.ts';
import { qrRefusalMessage, type QrRefusalReason } from '../../common/output.ts';
import { KIOSK_DB_FILE } from '../store/kiosk-store.ts';

// What a credential read becomes (agent/taps.ts): the decision, its record and delivery, refusals.

const env = useKioskAgent();
const { start, publishRoster } = env;

describe('kiosk agent: taps', () => {
  it('learns its facility from genkan/v1/+/roster, commits a tap before reporting it, and delivers it', async () => {
    await publishRoster();
    const committedBeforeOk: boolean[] = [];
    const k = await start({}, (line) => {
      if (isTap(line) && line.result === 'ok') {
        // Another connection sees the rows the moment the line is written: they are committed.
        const db = new Database(join(env.dir, KIOSK_DB_FILE), { readonly: true });
        const ids = db
          .prepare<[], { id: string }>('SELECT id FROM outbox')
          .all()
          .map((r) => r.id);
        db.close();
        committedBeforeOk.push(line.events.every((e) => ids.includes(e.id)));
      }
    });
    expect(await ready(k.out)).toEqual({
      ready: true,
      device: DEVICE,
      facility: FACILITY,
      rosterVersion: 1,
      outbox: 0,
    });
    expect(k.out.items).toContainEqual({ type: 'roster', version: 1, children: 3 });
    await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'connection' && l.online),
      'online',
    );

    const line = await tapVia(k, CARD_G1);
    expect(line).toMatchObject({
      type: 'tap',
      result: 'ok',
      reader: 'stdin',
      guardian: { id: 'g1', name: 'Aoi' },
      events: [
        { childId: 'c1', childName: 'Hana', type: 'check_in', seq: 1 },
        { childId: 'c2', childName: 'Sora', type: 'check_in', seq: 2 },
      ],
    });
    expect(committedBeforeOk).toEqual([true]);
    if (line.result !== 'ok') throw new Error('not ok');
    const ids = line.events.map((e) => e.id);

    await k.out.until((items) => ids.every((id) => ackedIds(items).includes(id)) || undefined, 'acks');
    // The wire format: {"events":[…]} on the device's events topic, each event valid and as stored.
    const msg = env.hub.messages[0];
    expect(msg?.topic).toBe(topics.events(FACILITY, DEVICE));
    expect(msg?.rejected).toEqual([]);
    const raw = JSON.parse(msg?.raw ?? '') as { events: unknown[] };
    expect(Object.keys(raw)).toEqual(['events']);
    for (const e of raw.events) expect(EventSchema.safeParse(e).success).toBe(true);
    expect(msg?.events[0]).toMatchObject({
      id: ids[0],
      type: 'check_in',
      childId: 'c1',
      occurredAt: '2026-04-01T10:00:00.000+09:00',
      deviceId: DEVICE,
      seq: 1,
      method: 'card',
      actor: 'g1',
    });
    expect(k.kiosk.state().outbox).toMatchObject({ total: 2, pending: 0, acked: 2 });
    const status = await env.hub.until(() => {
      const s = env.hub.statuses.get(DEVICE);
      return s?.online === true && s.outbox === 0 ? s : undefined;
    }, 'status with empty outbox');
    expect(StatusSchema.safeParse(status).success).toBe(true);
    // The readers, for the hub's device list.
    expect(status.readers).toEqual([expect.objectContaining({ attached: true })]);
  });

  it('reports unknown credentials, guardians without children and unreadable input, recording nothing', async () => {
    await publishRoster();
    const k = await start();
    await ready(k.out);
    expect(await tapVia(k, CARD_UNKNOWN)).toEqual({
      type: 'tap',
      result: 'unknown_credential',
      kind: 'card',
      reader: 'stdin',
    });
    expect(await tapVia(k, { kind: 'qr', value: 'nobody' })).toEqual({
      type: 'tap',
      result: 'refused_qr',
      reason: 'unsigned',
      message: qrRefusalMessage('unsigned'),
      reader: 'stdin',
    });
    expect(await tapVia(k, CARD_G3)).toEqual({
      type: 'tap',
      result: 'no_children',
      kind: 'card',
      guardian: { id: 'g3', name: 'Former' },
      reader: 'stdin',
    });
    k.input.write('garbage\n');
    const err = await k.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'reader_error'),
      'reader error',
    );
    expect(err).toEqual({
      type: 'reader_error',
      reader: 'stdin',
      code: 'unrecognised_input',
      message: expect.any(String) as string,
    });
    expect(JSON.stringify(k.out.items)).not.toContain('ffffffff');
    expect(k.kiosk.state().outbox.total).toBe(0);
    // Still taking taps.
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
  });

  it('debounces the same credential within the window only', async () => {
    await publishRoster();
    const k = await start({ debounceMs: 30_000 });
    await ready(k.out);
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
    k.clock.advance(29_999);
    // "Already recorded" says who and when (behaviour changed by issue 14: it named nobody before).
    expect(await tapVia(k, QR_G2)).toEqual({
      type: 'tap',
      result: 'debounced',
      kind: 'qr',
      reader: 'stdin',
      children: [{ childId: 'c3', childName: 'Ren', type: 'check_in', at: '2026-04-01T10:00:00.000+09:00' }],
      message: 'Renさん：10:00 登園 / Ren: checked in at 10:00',
    });
    // Another credential is not held up.
    expect((await tapVia(k, CARD_G1)).result).toBe('ok');
    k.clock.advance(1);
    // After the window, 30 s after the check-in: the reversal guard holds it (nothing recorded).
    const again = await tapVia(k, QR_G2);
    expect(again).toMatchObject({
      result: 'needs_confirm',
      children: [{ childId: 'c3', type: 'check_out' }],
    });
    expect(k.kiosk.state().outbox.total).toBe(3);
  });

  it('holds a tap that would reverse a child’s event of minutes ago: only a touch records it', async () => {
    await publishRoster();
    const k = await start({ debounceMs: 30_000 });
    await ready(k.out);
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
    // The case: the second tap 50 s after a check-in.
    k.clock.advance(50_000);
    const held = await tapVia(k, QR_G2);
    if (held.result !== 'needs_confirm') throw new Error(`expected needs_confirm, got ${held.result}`);
    expect(held).toMatchObject({
      guardian: { id: 'g2' },
      children: [
        {
          childId: 'c3',
          type: 'check_out',
          earlier: { type: 'check_in', at: '2026-04-01T10:00:00.000+09:00' },
        },
      ],
    });
    expect(held.message).toContain('10:00に登園しました');
    expect(k.kiosk.tapView(held.tapId)).toMatchObject({
      held: true,
      children: [{ childId: 'c3', included: false, reversal: true, direction: 'check_out' }],
    });
    expect(k.kiosk.state().outbox.total).toBe(1);
    // The countdown ends (confirm): nothing recorded.
    expect(k.kiosk.amend({ op: 'confirm', tapId: held.tapId })).toEqual({ ok: true });
    expect(k.kiosk.state().outbox.total).toBe(1);

    // Again, and this time the parent touches the child: the check-out is recorded.
    k.clock.advance(30_000);
    const asked = await tapVia(k, QR_G2);
    if (asked.result !== 'needs_confirm') throw new Error(`expected needs_confirm, got ${asked.result}`);
    expect(k.kiosk.amend({ op: 'flip', tapId: asked.tapId })).toMatchObject({ ok: false, code: 'tap_held' });
    expect(k.kiosk.amend({ op: 'set_included', tapId: asked.tapId, childId: 'c3', included: true })).toEqual({
      ok: true,
    });
    expect(k.kiosk.state().outbox.total).toBe(2);
    const amend = k.out.items.findLast((l) => 'type' in l && l.type === 'amend');
    expect(amend).toMatchObject({
      op: 'set_included',
      events: [{ childId: 'c3', type: 'check_out' }],
      message: 'Renさんの降園を記録しました / Recorded the check-out of Ren',
    });

    // Past the guard (10 minutes by default), a tap reverses at once.
    k.clock.advance(10 * 60_000);
    expect(await tapVia(k, QR_G2)).toMatchObject({
      result: 'ok',
      events: [{ childId: 'c3', type: 'check_in' }],
    });
  });

  it('takes the reversal guard from the roster: reversalGuardMinutes', async () => {
    await env.hub.publish(topics.roster(FACILITY), makeRoster({ reversalGuardMinutes: 1 }), true);
    const k = await start();
    await ready(k.out);
    expect((await tapVia(k, QR_G2)).result).toBe('ok');
    k.clock.advance(59_000);
    expect((await tapVia(k, QR_G2)).result).toBe('needs_confirm');
    k.clock.advance(1000);
    expect(await tapVia(k, QR_G2)).toMatchObject({ result: 'ok', events: [{ type: 'check_out' }] });
  });

  it('decides from the hub roll-call with its own unacknowledged events on top', async () => {
    await publishRoster();
    await env.hub.publish(topics.rollcall(FACILITY), makeRollcall('2026-04-01', { c1: 'present' }), true);
    env.hub.policy = () => 'hold';
    const k = await start({ reversalGuardMs: 0 });
    await ready(k.out);
    await k.out.until((items) => items.find((l) => 'type' in l && l.type === 'rollcall'), 'roll-call');
    // Each child's own direction: c2 (not arrived) is not checked out with c1, only offered apart.
    expect(await tapVia(k, CARD_G1)).toMatchObject({
      events: [{ childId: 'c1', type: 'check_out' }],
      notIncluded: [{ childId: 'c2', childName: 'Sora', type: 'check_in' }],
    });
    // Not acknowledged: the roll-call still says c1 present, but the kiosk's own events count.
    expect(await tapVia(k, CARD_G1)).toMatchObject({
      events: [
        { childId: 'c1', type: 'check_in' },
        { childId: 'c2', type: 'check_in' },
      ],
    });
  });

  it('records a burst of 400 piped taps in order with seq 1..400 and delivers them all', async () => {
    await publishRoster();
    // The reversal guard off: this is a load test of one card tapped again and again.
    const k = await start({ reversalGuardMs: 0 });
    await ready(k.out);
    k.input.write(tapLine(QR_G2).repeat(400));
    await k.out.until((items) => items.filter(isTap).length === 400, '400 tap lines');
    const lines = okTaps(k.out);
    expect(lines).toHaveLength(400);
    expect(lines.map((l) => l.events[0]?.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(lines.map((l) => l.events[0]?.type)).toEqual(
      Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 'check_in' : 'check_out')),
    );
    await k.out.until((items) => ackedIds(items).length === 400, 'all acked');
    const firstSeen = [...new Map(env.hub.received.map((e) => [e.id, e])).values()];
    expect(firstSeen.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(Math.max(...env.hub.messages.map((m) => m.events.length))).toBeLessThanOrEqual(100);
  });

  describe('signed guardian QR codes', () => {
    it('checks in by a signed QR code like a card tap: method qr, actor the guardian', async () => {
      await publishRoster();
      const k = await start({ reversalGuardMs: 0 });
      await ready(k.out);
      const line = await tapVia(k, QR_G2);
      expect(line).toMatchObject({
        result: 'ok',
        guardian: { id: 'g2', name: 'Kenji' },
        events: [{ childId: 'c3', type: 'check_in', seq: 1 }],
      });
      const event = await env.hub.until(() => env.hub.received[0], 'event at the hub');
      expect(event).toMatchObject({ childId: 'c3', type: 'check_in', method: 'qr', actor: 'g2' });
      // The next scan of another valid code of the same guardian checks out.
      const out = await tapVia(k, signedQr('g2', QR_EXPIRES - 1));
      expect(out).toMatchObject({ result: 'ok', events: [{ childId: 'c3', type: 'check_out', seq: 2 }] });
    });

    it('refuses each bad code with its reason and a message, recording nothing', async () => {
      await publishRoster();
      const k = await start();
      await ready(k.out);
      const otherKey = importQrPrivateKey(generateQrKeyPair().privateKey);
      const cases: [QrRefusalReason, string][] = [
        ['malformed', 'GK1.nursery-1.g2.notanumber.sig'],
        ['unsigned', 'https://example.com/pickup?g=g2'],
        ['unsigned', 'g2'],
        ['forged', signGuardianQr(otherKey, { facilityId: FACILITY, guardianId: 'g2', expires: QR_EXPIRES })],
        ['forged', QR_G2.value.replace('.g2.', '.g1.')],
        ['other_facility', signedQr('g2', QR_EXPIRES, 'other-nursery').value],
        // 10:00 in Tokyo is START: a code that expired at that second is refused
        ['expired', signedQr('g2', START / 1000).value],
        ['unknown_guardian', signedQr('g99').value],
      ];
      for (const [reason, value] of cases) {
        expect(await tapVia(k, { kind: 'qr', value }), `${reason}: ${value}`).toEqual({
          type: 'tap',
          result: 'refused_qr',
          reason,
          message: qrRefusalMessage(reason),
          reader: 'stdin',
        });
      }
      expect(k.kiosk.state().outbox.total).toBe(0);
      // A code that expires one second later still works.
      expect((await tapVia(k, signedQr('g2', START / 1000 + 1))).result).toBe('ok');
    });

    it('has a Japanese and an English message for every reason', () => {
      for (const [reason, m] of Object.entries(QR_REFUSAL_MESSAGES)) {
        expect(m.ja.length, reason).toBeGreaterThan(5);
        expect(m.en.length, reason).toBeGreaterThan(5);
        expect(qrRefusalMessage(reason as QrRefusalReason)).toContain(m.ja);
      }
    });

    it('debounces a refused code like an unknown card', async () => {
      await publishRoster();
      const k = await start({ debounceMs: 30_000 });
      await ready(k.out);
      const expired = signedQr('g2', START / 1000);
      expect((await tapVia(k, expired)).result).toBe('refused_qr');
      expect(await tapVia(k, expired)).toEqual({
        type: 'tap',
        result: 'debounced',
        kind: 'qr',
        reader: 'stdin',
      });
    });
  });
});
