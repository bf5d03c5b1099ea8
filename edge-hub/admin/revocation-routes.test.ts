import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminCardRemovedSchema,
  AdminDeviceRemovedSchema,
  AdminDevicesSchema,
  AdminGuardianCardsSchema,
  AdminQrRevokedSchema,
  type AdminAuditPage,
} from '../../protocol/admin.ts';
import { adminAudit, errorCode } from '../../test/support/admin-routes.ts';
import { topics } from '../../protocol/topics.ts';
import {
  connect,
  directorCookie,
  startAdminTestHub,
  waitForClose,
  waitForMessage,
  type AdminTestHub,
  type TestSite,
} from '../../test/support/hub.ts';

/** The kiosks' retained roster, as far as these tests read it. */
interface KioskRoster {
  version: number;
  guardians: { id: string; credentials: string[]; qrGeneration?: number }[];
}

/**
 * The admin app's revocation routes over HTTP against an in-process hub: a guardian's cards listed by hash
 * and one removed, a guardian's QR codes revoked, a device removed (its connection dropped). Each reaches
 * the kiosks, is audited, and is refused without a signed-in admin or for what does not exist.
 */
describe('admin revocation routes', () => {
  let t: AdminTestHub;
  let site: TestSite;
  let hub: AdminTestHub['hub'];
  let base: string;
  let kiosk: MqttClient;
  let cookie: string;

  beforeAll(async () => {
    t = await startAdminTestHub({ devices: 2, options: { tuning: { rosterPollMs: 100 } } });
    ({ site, hub, base } = t);
    const device = site.devices[0];
    if (!device) throw new Error('no kiosk');
    kiosk = await connect(hub.ports.mqtt, device);
    await kiosk.subscribeAsync(topics.roster('f1'), { qos: 1 });
    cookie = await directorCookie(base);
  });
  afterAll(async () => {
    if (kiosk.connected) await kiosk.endAsync();
    await t.close();
  });

  const call = (method: string, path: string, headers: Record<string, string> = { cookie, origin: base }) =>
    fetch(`${base}${path}`, {
      method,
      headers: method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(method === 'POST' && { body: '{}' }),
    });
  const kioskRoster = (match: (r: KioskRoster) => boolean) =>
    waitForMessage<KioskRoster>(kiosk, topics.roster('f1'), match);
  const audit = async (action: string): Promise<AdminAuditPage['entries']> =>
    (await adminAudit(base, cookie)).filter((e) => e.action === action);

  it("lists a guardian's cards by hash and removes one: kiosks get the roster without it, audited", async () => {
    const listed = await call('GET', '/api/admin/guardians/g001/cards');
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    const { cards } = AdminGuardianCardsSchema.parse(await listed.json());
    expect(cards).toEqual([
      { credential: expect.any(String) as string, source: 'roster_file', enrolledAt: null },
    ]);
    const credential = cards[0]?.credential ?? '';
    expect(credential).not.toContain('04a23b4c');

    const shipped = kioskRoster((r) =>
      r.guardians.some((g) => g.id === 'g001' && g.credentials.length === 0),
    );
    const res = await call('DELETE', `/api/admin/guardians/g001/cards/${encodeURIComponent(credential)}`);
    expect(res.status).toBe(200);
    expect(AdminCardRemovedSchema.parse(await res.json())).toMatchObject({
      removed: true,
      guardianId: 'g001',
    });
    const view = await shipped;
    expect(view.guardians.find((g) => g.id === 'g002')?.credentials).toHaveLength(1);
    expect(await audit('card.remove')).toEqual([
      expect.objectContaining({
        actorKind: 'staff',
        actorId: 'boss',
        subject: 'guardian:g001',
        before: { credentialHash: credential, from: ['roster_file'] },
      }),
    ]);
    expect(
      AdminGuardianCardsSchema.parse(await (await call('GET', '/api/admin/guardians/g001/cards')).json())
        .cards,
    ).toEqual([]);
  });

  it('refuses an unknown card, a card of another guardian, an unknown guardian and a request without a session', async () => {
    const g002 = AdminGuardianCardsSchema.parse(
      await (await call('GET', '/api/admin/guardians/g002/cards')).json(),
    );
    const other = g002.cards[0]?.credential ?? '';
    const wrongGuardian = await call(
      'DELETE',
      `/api/admin/guardians/g003/cards/${encodeURIComponent(other)}`,
    );
    expect(wrongGuardian.status).toBe(404);
    expect(await errorCode(wrongGuardian)).toBe('unknown_card');
    const unknown = await call(
      'DELETE',
      '/api/admin/guardians/g001/cards/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(await errorCode(unknown)).toBe('unknown_card');
    expect(await errorCode(await call('GET', '/api/admin/guardians/g999/cards'))).toBe('unknown_guardian');
    const anonymous = await call('DELETE', `/api/admin/guardians/g002/cards/${encodeURIComponent(other)}`, {
      origin: base,
    });
    expect(anonymous.status).toBe(401);
    const crossSite = await call('DELETE', `/api/admin/guardians/g002/cards/${encodeURIComponent(other)}`, {
      cookie,
      origin: 'http://evil.example',
    });
    expect(crossSite.status).toBe(403);
    const after = AdminGuardianCardsSchema.parse(
      await (await call('GET', '/api/admin/guardians/g002/cards')).json(),
    );
    expect(after).toEqual(g002);
  });

  it("revokes a guardian's QR codes: kiosks get the new generation, audited; an unknown guardian is refused", async () => {
    const shipped = kioskRoster((r) => r.guardians.some((g) => g.id === 'g002' && g.qrGeneration === 1));
    const res = await call('POST', '/api/admin/guardians/g002/qr/revoke');
    expect(res.status).toBe(200);
    expect(AdminQrRevokedSchema.parse(await res.json())).toMatchObject({
      revoked: true,
      guardianId: 'g002',
      qrGeneration: 1,
    });
    await shipped;
    expect(await audit('qr.revoke')).toEqual([
      expect.objectContaining({ actorId: 'boss', subject: 'guardian:g002', after: { qrGeneration: 1 } }),
    ]);
    expect(await errorCode(await call('POST', '/api/admin/guardians/g999/qr/revoke'))).toBe(
      'unknown_guardian',
    );
  });

  it('removes a device: its connection is closed, its login refused, the other kiosk stays', async () => {
    const other = site.devices[1];
    const removed = site.devices[0];
    if (!other || !removed) throw new Error('no kiosks');
    const staying = await connect(hub.ports.mqtt, other);
    const closed = waitForClose(kiosk);
    const res = await call('DELETE', `/api/admin/devices/${removed.deviceId}`);
    expect(res.status).toBe(200);
    expect(AdminDeviceRemovedSchema.parse(await res.json())).toEqual({
      removed: true,
      deviceId: removed.deviceId,
      role: 'kiosk',
      sessionsEnded: 0,
    });
    await closed;
    await expect(connect(hub.ports.mqtt, removed)).rejects.toThrow(/Bad username or password|Not authorized/);
    expect(staying.connected).toBe(true);
    await staying.endAsync();
    const devices = AdminDevicesSchema.parse(await (await call('GET', '/api/admin/devices')).json()).devices;
    expect(devices.map((d) => d.id)).toEqual([other.deviceId]);
    expect(await audit('device.remove')).toEqual([
      expect.objectContaining({ actorId: 'boss', subject: `device:${removed.deviceId}` }),
    ]);
    const again = await call('DELETE', `/api/admin/devices/${removed.deviceId}`);
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('unknown_device');
  });
});
