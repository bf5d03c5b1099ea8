import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../common/time.ts';
import { credentialLookupHashSync } from '../../protocol/index.ts';
import { importRoster } from './roster.ts';
import { HubStore } from '../store/hub-store.ts';
import { removeDir, ROSTER_HEADER, tempDir, TEST_ROSTER } from '../../test/support/hub.ts';

/** Store-level rules of cards enrolled at a kiosk, and how they live with `genkan roster import`. */
describe('enrolled cards in the store', () => {
  let dir: string;
  let store: HubStore;
  let card: (uid: string) => string;
  const by = { deviceId: 'kiosk-1', staffId: 's01' };
  const credentialsOf = (guardianId: string) =>
    store.roster.read().guardians.find((g) => g.id === guardianId)?.credentials;

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir, { clock: fixedClock('2026-04-01T08:00:00+09:00') });
    importRoster(store, TEST_ROSTER);
    // As the roster's scheme makes them (the kiosks' and cardCredentialOf's hash).
    card = (uid) => credentialLookupHashSync(store.facility.meta(), { kind: 'card', value: uid });
  });
  afterEach(async () => {
    store.close();
    await removeDir(dir);
  });

  it('adds the card to the guardian in the roster and bumps the version; again is a no-op', () => {
    const before = store.roster.rosterVersion();
    const r = store.transaction(() => store.roster.enrollCredential('g003', card('aabbccdd'), by));
    expect(r).toEqual({ ok: true, changed: true, rosterVersion: before + 1 });
    expect(credentialsOf('g003')).toEqual([card('aabbccdd')]);
    expect(store.roster.enrolledCredentials()).toEqual([
      {
        hash: card('aabbccdd'),
        guardianId: 'g003',
        deviceId: 'kiosk-1',
        staffId: 's01',
        enrolledAt: '2026-03-31T23:00:00.000Z',
      },
    ]);
    expect(store.transaction(() => store.roster.enrollCredential('g003', card('aabbccdd'), by))).toEqual({
      ok: true,
      changed: false,
      rosterVersion: before + 1,
    });
    // a card the file already gives this guardian is theirs already
    expect(
      store.transaction(() => store.roster.enrollCredential('g001', card('04a23b4c'), by)),
    ).toMatchObject({
      ok: true,
      changed: false,
    });
    expect(store.roster.rosterVersion()).toBe(before + 1);
  });

  it('refuses an unknown guardian and a card of another guardian, from the file or enrolled', () => {
    const version = store.roster.rosterVersion();
    expect(
      store.transaction(() => store.roster.enrollCredential('g999', card('aabbccdd'), by)),
    ).toMatchObject({
      ok: false,
      code: 'unknown_guardian',
    });
    expect(
      store.transaction(() => store.roster.enrollCredential('g003', card('04a23b4c'), by)),
    ).toMatchObject({
      ok: false,
      code: 'credential_in_use',
    });
    store.transaction(() => store.roster.enrollCredential('g003', card('aabbccdd'), by));
    expect(
      store.transaction(() => store.roster.enrollCredential('g002', card('aabbccdd'), by)),
    ).toMatchObject({
      ok: false,
      code: 'credential_in_use',
    });
    expect(store.roster.rosterVersion()).toBe(version + 1);
    expect(credentialsOf('g002')).toEqual([card('0102030405060708')]);
  });

  it('keeps enrolled cards across a re-import of the file', () => {
    store.transaction(() => store.roster.enrollCredential('g003', card('aabbccdd'), by));
    store.transaction(() => store.roster.enrollCredential('g001', card('11223344'), by));
    importRoster(store, TEST_ROSTER);
    expect(credentialsOf('g003')).toEqual([card('aabbccdd')]);
    expect(credentialsOf('g001')).toEqual([card('04a23b4c'), card('11223344')].sort());
    expect(store.roster.enrolledCredentials()).toHaveLength(2);
  });

  it('gives the file precedence: a card it assigns to X is never published for the enrolled Y', () => {
    store.transaction(() => store.roster.enrollCredential('g003', card('aabbccdd'), by));
    // The director's next file gives the same card to g002.
    importRoster(store, TEST_ROSTER.replace('0102030405060708', '0102030405060708;AABBCCDD'));
    const roster = store.roster.read();
    const holders = roster.guardians.filter((g) => g.credentials.includes(card('aabbccdd')));
    expect(holders.map((g) => g.id)).toEqual(['g002']);
    expect(credentialsOf('g003')).toEqual([]);
    // the shadowed enrolment is removed, audited with its hash so that it could be restored
    expect(store.roster.enrolledCredentials()).toEqual([]);
    expect(store.audit.all().at(-1)).toMatchObject({
      actorKind: 'cli',
      action: 'credential.enrollment_removed',
      subject: 'guardian:g003',
      before: { credentialHash: card('aabbccdd') },
      after: { reason: 'card_in_roster_file' },
    });
    // and it stays g002's when a later file drops it from g002 again: no silent return to g003
    importRoster(store, TEST_ROSTER);
    expect(store.roster.read().guardians.filter((g) => g.credentials.includes(card('aabbccdd')))).toEqual([]);
  });

  it("drops the enrolled cards of a guardian the new file no longer lists, and doesn't publish them", () => {
    store.transaction(() => store.roster.enrollCredential('g003', card('aabbccdd'), by));
    importRoster(store, `${ROSTER_HEADER}\nk1,A,c001,X,x,g001,G1,04A23B4C\n`);
    expect(store.roster.read().guardians.map((g) => g.id)).toEqual(['g001']);
    expect(JSON.stringify(store.roster.read())).not.toContain(card('aabbccdd'));
    expect(store.roster.enrolledCredentials()).toEqual([]);
    expect(store.audit.all().at(-1)).toMatchObject({
      action: 'credential.enrollment_removed',
      subject: 'guardian:g003',
      after: { reason: 'guardian_not_on_roster' },
    });
    // the guardian coming back does not bring the card back: it is enrolled again at the door
    importRoster(store, TEST_ROSTER);
    expect(credentialsOf('g003')).toEqual([]);
  });

  it('remembers answers and forgets them after the retention', () => {
    store.devices.storeResponse('kiosk-1', 'r1', 'enroll_card', '{"id":"r1"}');
    expect(store.devices.storedResponse('kiosk-1', 'r1')).toBe('{"id":"r1"}');
    expect(store.devices.storedResponse('kiosk-2', 'r1')).toBeUndefined();
    expect(store.devices.pruneRequests(new Date('2026-03-31T23:00:00.000Z'))).toBe(0);
    expect(store.devices.pruneRequests(new Date('2026-03-31T23:00:00.001Z'))).toBe(1);
    expect(store.devices.storedResponse('kiosk-1', 'r1')).toBeUndefined();
  });
});
