import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../common/passwords.ts';
import { RosterSchema } from '../../protocol/index.ts';
import { TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import type { HubStore } from '../store/hub-store.ts';
import { clearGuardianPin, setGuardianPin } from './guardian-pins.ts';
import { importRoster, rosterMessage } from './roster.ts';

const CLI = { kind: 'cli', id: null } as const;

describe('guardian kiosk PINs at the hub', () => {
  let store: HubStore;
  useTempHubStore(
    (s) => {
      store = s;
    },
    { roster: TEST_ROSTER },
  );

  it('stores a slow salted hash, audits without it, bumps the roster version and ships it in the roster', async () => {
    const before = store.roster.rosterVersion();
    const done = await setGuardianPin(store, 'g001', '482913', CLI);
    expect(done).toEqual({ replaced: false, rosterVersion: before + 1 });
    const hash = store.guardianPins.all().get('g001') ?? '';
    expect(hash).toMatch(/^scrypt\$65536\$8\$1\$/);
    expect(await verifyPassword('482913', hash)).toBe(true);

    const audit = store.audit.about('guardian:g001');
    expect(audit.map((a) => a.action)).toEqual(['guardian.pin_set']);
    expect(JSON.stringify(audit)).not.toContain('482913');
    expect(JSON.stringify(audit)).not.toContain(hash);

    const message = RosterSchema.parse(
      rosterMessage('f1', store.facility.meta(), store.roster.read(), store.guardianPins.all()),
    );
    expect(message.version).toBe(before + 1);
    expect(message.guardians.find((g) => g.id === 'g001')?.pinHash).toBe(hash);
    expect(message.guardians.find((g) => g.id === 'g002')).not.toHaveProperty('pinHash');
  });

  it('refuses malformed PINs and unknown guardians with codes', async () => {
    for (const pin of ['123', '123456789', '12a4', ' 1234', '']) {
      await expect(setGuardianPin(store, 'g001', pin, CLI)).rejects.toMatchObject({ code: 'bad_pin_format' });
    }
    await expect(setGuardianPin(store, 'g999', '1234', CLI)).rejects.toMatchObject({
      code: 'unknown_guardian',
    });
    expect(store.guardianPins.all().size).toBe(0);
  });

  it('keeps PINs across a roster re-import, and clears them on request', async () => {
    await setGuardianPin(store, 'g002', '1234', CLI);
    importRoster(store, TEST_ROSTER);
    expect(store.guardianPins.has('g002')).toBe(true);
    const before = store.roster.rosterVersion();
    expect(clearGuardianPin(store, 'g002', CLI)).toEqual({ cleared: true, rosterVersion: before + 1 });
    expect(clearGuardianPin(store, 'g002', CLI)).toEqual({ cleared: false, rosterVersion: before + 1 });
    expect(store.guardianPins.has('g002')).toBe(false);
    expect(store.audit.about('guardian:g002').map((a) => a.action)).toEqual([
      'guardian.pin_set',
      'guardian.pin_cleared',
    ]);
  });
});
