import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../common/time.ts';
import { credentialLookupHashSync, verifyGuardianQr, importQrPublicKey } from '../../protocol/index.ts';
import { removeDevice } from '../access/device-removal.ts';
import { addDevice } from '../access/devices.ts';
import { HubStore } from '../store/hub-store.ts';
import { removeDir, ROSTER_HEADER, tempDir, TEST_ROSTER } from '../../test/support/hub.ts';
import { materialiseRoster } from './history.ts';
import { issueGuardianQr } from './qr-card.ts';
import { importRoster, rosterMessage } from './roster.ts';
import { guardianCards, removeCard, removeCardByHash, revokeGuardianQr } from './revocation.ts';

const CLI = { kind: 'cli', id: null } as const;

/** Removing cards, revoking QR codes and removing devices, on a real store (edge-hub/store/revocations.ts). */
describe('revocation', () => {
  let dir: string;
  let store: HubStore;
  let card: (uid: string) => string;
  const credentialsOf = (guardianId: string) =>
    store.roster.read().guardians.find((g) => g.id === guardianId)?.credentials;
  const historyCredentials = () =>
    store.history.imports().flatMap((i) => i.roster.guardians.flatMap((g) => g.credentials));

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir, { clock: fixedClock('2026-04-01T08:00:00+09:00') });
    store.facility.claimFacility('f1');
    importRoster(store, TEST_ROSTER);
    card = (uid) => credentialLookupHashSync(store.facility.meta(), { kind: 'card', value: uid });
  });
  afterEach(async () => {
    store.close();
    await removeDir(dir);
  });

  describe('card remove', () => {
    it("takes a roster file's card from its guardian, the history too, audited without the number", async () => {
      const before = store.roster.rosterVersion();
      // Written as a reader or a person would: separators and capitals.
      const done = await removeCard(store, '04:A2:3B:4C', CLI);
      expect(done).toEqual({ removed: true, guardianId: 'g001', rosterVersion: before + 1 });
      expect(credentialsOf('g001')).toEqual([]);
      expect(credentialsOf('g002')).toEqual([card('0102030405060708')]);
      expect(historyCredentials()).not.toContain(card('04a23b4c'));
      const entry = store.audit.all().at(-1);
      expect(entry).toMatchObject({
        actorKind: 'cli',
        action: 'card.remove',
        subject: 'guardian:g001',
        outcome: 'ok',
        before: { credentialHash: card('04a23b4c'), from: ['roster_file'] },
      });
      expect(JSON.stringify(entry).toLowerCase()).not.toContain('04a23b4c');
    });

    it('stays removed when the file that lists it is imported again, and when the roster is remade', async () => {
      await removeCard(store, '04A23B4C', CLI);
      importRoster(store, TEST_ROSTER, '2026-04-01');
      expect(credentialsOf('g001')).toEqual([]);
      importRoster(store, TEST_ROSTER, '2026-04-10');
      expect(materialiseRoster(store, '2026-04-10')).toBe(true);
      expect(credentialsOf('g001')).toEqual([]);
      expect(credentialsOf('g002')).toEqual([card('0102030405060708')]);
    });

    it('removes a card from an import that takes effect later', async () => {
      const later = [ROSTER_HEADER, 'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,AABBCCDD'].join(
        '\n',
      );
      importRoster(store, later, '2026-05-01');
      expect(await removeCard(store, 'aabbccdd', CLI)).toMatchObject({ removed: true, guardianId: 'g001' });
      expect(store.audit.all().at(-1)?.before).toEqual({
        credentialHash: card('aabbccdd'),
        from: ['roster_history'],
      });
      materialiseRoster(store, '2026-05-01');
      expect(credentialsOf('g001')).toEqual([]);
    });

    it('removes a card enrolled at a kiosk; enrolling it again takes the removal back', async () => {
      const by = { deviceId: 'kiosk-1', staffId: null };
      store.transaction(() => store.roster.enrollCredential('g003', card('a1b2c3d4'), by));
      expect(guardianCards(store, 'g003')).toEqual([
        { hash: card('a1b2c3d4'), source: 'enrolled', enrolledAt: '2026-03-31T23:00:00.000Z' },
      ]);
      expect(await removeCard(store, 'a1b2c3d4', CLI)).toMatchObject({ guardianId: 'g003' });
      expect(credentialsOf('g003')).toEqual([]);
      expect(store.roster.enrolledCredentials()).toEqual([]);
      expect(store.revocations.isRemoved(card('a1b2c3d4'))).toBe(true);
      store.transaction(() => store.roster.enrollCredential('g003', card('a1b2c3d4'), by));
      expect(credentialsOf('g003')).toEqual([card('a1b2c3d4')]);
      expect(store.revocations.isRemoved(card('a1b2c3d4'))).toBe(false);
    });

    it('refuses an unknown card, a card of another guardian and a malformed number, changing nothing', async () => {
      const version = store.roster.rosterVersion();
      const audited = store.audit.all().length;
      await expect(removeCard(store, 'deadbeef', CLI)).rejects.toMatchObject({ code: 'unknown_card' });
      expect(() => removeCardByHash(store, card('04a23b4c'), CLI, 'g002')).toThrow(
        expect.objectContaining({ code: 'unknown_card' }),
      );
      await expect(removeCard(store, 'not-a-card', CLI)).rejects.toMatchObject({ code: 'bad_card' });
      expect(store.roster.rosterVersion()).toBe(version);
      expect(store.audit.all()).toHaveLength(audited);
      expect(credentialsOf('g001')).toEqual([card('04a23b4c')]);
      expect(historyCredentials()).toContain(card('04a23b4c'));
    });

    it("lists a guardian's cards by hash, and removes one by hash for that guardian", () => {
      expect(guardianCards(store, 'g002')).toEqual([
        { hash: card('0102030405060708'), source: 'roster_file', enrolledAt: null },
      ]);
      expect(() => guardianCards(store, 'g999')).toThrow(
        expect.objectContaining({ code: 'unknown_guardian' }),
      );
      expect(removeCardByHash(store, card('0102030405060708'), CLI, 'g002')).toMatchObject({ removed: true });
      expect(guardianCards(store, 'g002')).toEqual([]);
    });
  });

  describe('qr revoke', () => {
    it('moves the generation on, ships it in the roster and signs new codes with it', () => {
      const meta = store.facility.meta();
      const key = importQrPublicKey(meta.qrPublicKey);
      const facilityId = meta.facilityId ?? '';
      const now = new Date('2026-04-01T00:00:00Z');
      const old = issueGuardianQr(store, 'g001');
      expect(old.payload.startsWith('GK1.')).toBe(true);
      const before = store.roster.rosterVersion();
      expect(revokeGuardianQr(store, 'g001', CLI)).toEqual({
        revoked: true,
        guardianId: 'g001',
        qrGeneration: 1,
        rosterVersion: before + 1,
      });
      const renewed = issueGuardianQr(store, 'g001');
      expect(renewed.payload.startsWith('GK2.')).toBe(true);
      expect(verifyGuardianQr(key, old.payload, { facilityId, now })).toMatchObject({
        ok: true,
        generation: 0,
      });
      expect(verifyGuardianQr(key, renewed.payload, { facilityId, now })).toMatchObject({
        ok: true,
        generation: 1,
      });
      expect(revokeGuardianQr(store, 'g001', CLI).qrGeneration).toBe(2);
      const message = rosterMessage(
        facilityId,
        store.facility.meta(),
        store.roster.read(),
        store.guardianPins.all(),
        store.revocations.qrGenerations(),
      );
      expect(message.guardians.find((g) => g.id === 'g001')?.qrGeneration).toBe(2);
      expect(message.guardians.find((g) => g.id === 'g002')).not.toHaveProperty('qrGeneration');
      expect(store.audit.all().at(-1)).toMatchObject({
        action: 'qr.revoke',
        subject: 'guardian:g001',
        before: { qrGeneration: 1 },
        after: { qrGeneration: 2 },
      });
    });

    it('refuses a guardian not on the roster, changing nothing', () => {
      const version = store.roster.rosterVersion();
      expect(() => revokeGuardianQr(store, 'g999', CLI)).toThrow(
        expect.objectContaining({ code: 'unknown_guardian' }),
      );
      expect(store.roster.rosterVersion()).toBe(version);
      expect(store.revocations.qrGenerations()).toEqual(new Map());
    });
  });

  describe('device remove', () => {
    it('deletes the device, its pairing codes and tablet cookies, and ends the staff sessions on it', async () => {
      await addDevice(store, 'tab-1', 'tablet');
      await addDevice(store, 'kiosk-1', 'kiosk');
      store.devices.addTabletToken('token-hash', 'tab-1');
      store.devices.addPairingCode('code-hash', 'tab-1', 'tablet', new Date('2026-04-02T00:00:00Z'));
      const at = '2026-03-31T23:00:00.000Z';
      const session = { staffId: 's1', deviceId: 'tab-1', createdAt: at, lastSeenAt: at, expiresAt: at };
      store.people.createSession({ ...session, tokenHash: 'session-hash' });
      expect(removeDevice(store, 'tab-1', CLI)).toEqual({
        removed: true,
        deviceId: 'tab-1',
        role: 'tablet',
        sessionsEnded: 1,
      });
      expect(store.devices.deviceList()).toEqual([{ id: 'kiosk-1', role: 'kiosk' }]);
      expect(store.devices.tabletOfToken('token-hash')).toBeUndefined();
      expect(store.devices.livePairingCodes('tab-1', new Date('2026-04-01T00:00:00Z'))).toEqual([]);
      expect(store.people.session('session-hash')).toBeUndefined();
      expect(store.audit.all().at(-1)).toMatchObject({
        action: 'device.remove',
        subject: 'device:tab-1',
        before: { role: 'tablet' },
        after: { sessionsEnded: 1 },
      });
      expect(() => removeDevice(store, 'tab-1', CLI)).toThrow(
        expect.objectContaining({ code: 'unknown_device' }),
      );
    });
  });
});
