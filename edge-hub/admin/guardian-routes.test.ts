import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../common/passwords.ts';
import {
  AdminGuardianPinSchema,
  AdminGuardianQrSchema,
  type AdminAuditPage,
  type AdminRoster,
} from '../../protocol/admin.ts';
import { topics } from '../../protocol/topics.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import {
  adminAudit,
  errorCode,
  startAdminRoutesHub,
  type AdminRoutesHub,
} from '../../test/support/admin-routes.ts';
import { connect, waitForMessage, type TestSite } from '../../test/support/hub.ts';

/** The kiosks' retained roster, as far as these tests read it. */
interface KioskRoster {
  version: number;
  guardians: { id: string; pinHash?: string }[];
}

/** PINs these tests send; none of them may appear in a log line, an audit entry or the kiosks' roster. */
const PIN = '482913';
const OTHER_PIN = '90817263';

/**
 * The admin app's guardian routes over HTTP against an in-process hub, with its log captured. The kiosk
 * PIN: the answer, the hash the kiosks get, the audit entry, the refusals (each changing nothing) and the
 * log. The QR card: issued and audited without its code.
 */
describe('admin guardian routes', () => {
  let t: AdminRoutesHub;
  let site: TestSite;
  let hub: RunningHubWithPlain;
  let base: string;
  let kiosk: MqttClient;
  let cookie: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startAdminRoutesHub(logLines);
    ({ site, hub, base, cookie } = t);
    const device = site.devices[0];
    if (!device) throw new Error('no kiosk');
    kiosk = await connect(hub.ports.mqtt, device);
    await kiosk.subscribeAsync(topics.roster('f1'), { qos: 1 });
  });
  afterAll(async () => {
    await kiosk.endAsync();
    await t.close();
  });

  const pinRequest = (
    method: 'PUT' | 'DELETE',
    guardianId: string,
    body?: unknown,
    headers: Record<string, string> = { cookie, origin: base },
  ) =>
    fetch(`${base}/api/admin/guardians/${guardianId}/pin`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const roster = async (): Promise<AdminRoster> =>
    (await (await fetch(`${base}/api/admin/roster`, { headers: { cookie } })).json()) as AdminRoster;
  const pinOf = async (guardianId: string) =>
    (await roster()).guardians.find((g) => g.id === guardianId)?.pin;
  const audit = (): Promise<AdminAuditPage['entries']> => adminAudit(base, cookie);
  const pinAudit = async () =>
    (await audit()).filter((e) => e.action === 'guardian.pin_set' || e.action === 'guardian.pin_cleared');
  /** The roster version, PIN states and PIN audit entries: what a refusal must leave as it was. */
  const state = async () => {
    const r = await roster();
    return { version: r.version, pins: r.guardians.map((g) => [g.id, g.pin]), audit: await pinAudit() };
  };
  const kioskRoster = (match: (r: KioskRoster) => boolean) =>
    waitForMessage<KioskRoster>(kiosk, topics.roster('f1'), match);

  it('sets a PIN: answers the new roster version, kiosks get a slow salted hash, the audit has no PIN', async () => {
    const before = (await roster()).version;
    const shipped = kioskRoster((r) => r.guardians.some((g) => g.id === 'g001' && g.pinHash !== undefined));
    const res = await pinRequest('PUT', 'g001', { pin: PIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(AdminGuardianPinSchema.parse(await res.json())).toEqual({
      guardianId: 'g001',
      pin: true,
      rosterVersion: before + 1,
    });
    expect(await pinOf('g001')).toBe(true);
    expect(await pinOf('g002')).toBe(false);

    const kioskView = await shipped;
    expect(kioskView.version).toBe(before + 1);
    const hash = kioskView.guardians.find((g) => g.id === 'g001')?.pinHash ?? '';
    expect(hash).toMatch(/^scrypt\$65536\$8\$1\$/);
    expect(hash).not.toContain(PIN);
    expect(await verifyPassword(PIN, hash)).toBe(true);
    expect(kioskView.guardians.find((g) => g.id === 'g002')).not.toHaveProperty('pinHash');

    const entries = await pinAudit();
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'guardian.pin_set',
        actorKind: 'staff',
        actorId: 'boss',
        subject: 'guardian:g001',
        outcome: 'ok',
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(PIN);
    expect(JSON.stringify(entries)).not.toContain(hash);
  });

  it('replaces a PIN with a new one', async () => {
    const before = (await roster()).version;
    const res = await pinRequest('PUT', 'g001', { pin: OTHER_PIN });
    expect(await res.json()).toEqual({ guardianId: 'g001', pin: true, rosterVersion: before + 1 });
    expect((await pinAudit())[0]).toMatchObject({ action: 'guardian.pin_set', after: { replaced: true } });
  });

  it('refuses a malformed PIN with a typed 400 and changes nothing', async () => {
    const before = await state();
    // Too short, letters, a space, too long for a PIN, empty: the PIN rule (4–8 digits).
    for (const pin of ['123', '12a4', ' 1234', '123456789', '']) {
      const res = await pinRequest('PUT', 'g002', { pin });
      expect(res.status, pin).toBe(400);
      expect(await errorCode(res)).toBe('bad_pin_format');
    }
    // Not a PIN request at all: the body's schema.
    for (const body of [{}, { pin: 1234 }, { pin: '1'.repeat(65) }, { pin: '1234', extra: true }]) {
      const res = await pinRequest('PUT', 'g002', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(res)).toBe('bad_request');
    }
    expect(await state()).toEqual(before);
  });

  it('refuses an unknown guardian with 404 unknown_guardian and changes nothing', async () => {
    const before = await state();
    const set = await pinRequest('PUT', 'g999', { pin: '1234' });
    expect(set.status).toBe(404);
    expect(await errorCode(set)).toBe('unknown_guardian');
    const clear = await pinRequest('DELETE', 'g999');
    expect(clear.status).toBe(404);
    expect(await errorCode(clear)).toBe('unknown_guardian');
    expect(await state()).toEqual(before);
  });

  it('refuses a request without a session (401) or from another origin (403), changing nothing', async () => {
    const before = await state();
    for (const method of ['PUT', 'DELETE'] as const) {
      const body = method === 'PUT' ? { pin: '5555' } : undefined;
      const anonymous = await pinRequest(method, 'g002', body, { origin: base });
      expect(anonymous.status).toBe(401);
      expect(await errorCode(anonymous)).toBe('not_signed_in');
      const foreign = await pinRequest(method, 'g001', body, { cookie, origin: 'http://evil.example' });
      expect(foreign.status).toBe(403);
      expect(await errorCode(foreign)).toBe('forbidden');
    }
    expect(await state()).toEqual(before);
  });

  it('clears a PIN (the kiosks lose the hash), and clearing it again is harmless', async () => {
    const before = (await roster()).version;
    const shipped = kioskRoster(
      (r) => r.version === before + 1 && r.guardians.every((g) => g.pinHash === undefined),
    );
    const res = await pinRequest('DELETE', 'g001');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ guardianId: 'g001', pin: false, rosterVersion: before + 1 });
    await shipped;
    expect(await pinOf('g001')).toBe(false);

    const after = await state();
    const again = await pinRequest('DELETE', 'g001');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ guardianId: 'g001', pin: false, rosterVersion: before + 1 });
    expect(await state()).toEqual(after);
    expect((await pinAudit()).map((e) => e.action)).toEqual([
      'guardian.pin_cleared',
      'guardian.pin_set',
      'guardian.pin_set',
    ]);
  });

  it("issues a guardian's QR card, audited without the code; only to an admin, only for a guardian on the roster", async () => {
    const guardian = (await roster()).guardians[0];
    if (!guardian) throw new Error('no guardian');
    const issue = (id: string, c: string, from = base) =>
      fetch(`${base}/api/admin/guardians/${id}/qr`, {
        method: 'POST',
        headers: { cookie: c, origin: from, 'content-type': 'application/json' },
        body: JSON.stringify({ days: 30 }),
      });
    const res = await issue(guardian.id, cookie);
    expect(res.status).toBe(200);
    const card = AdminGuardianQrSchema.parse(await res.json());
    expect(card.guardianId).toBe(guardian.id);
    expect(card.svg).toContain('<svg ');
    expect(card.svg).toContain(guardian.name);
    const entry = (await audit()).find((e) => e.action === 'admin.guardian_qr');
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry)).not.toContain('GK1.');
    expect((await issue('nobody', cookie)).status).toBe(404);
    expect((await issue(guardian.id, '')).status).toBe(401);
    expect((await issue(guardian.id, cookie, 'http://evil.example')).status).toBe(403);
  });

  it('logs the changes by guardian id, and no log line holds a PIN or a QR code', () => {
    const log = logLines.join('');
    expect(log).toContain('guardian PIN set');
    expect(log).toContain('guardian PIN cleared');
    for (const line of logLines) {
      expect(line).not.toContain(PIN);
      expect(line).not.toContain(OTHER_PIN);
      expect(line).not.toContain('"pin"');
      expect(line).not.toContain('GK1.');
    }
  });
});
