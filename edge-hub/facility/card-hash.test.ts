import { describe, expect, it } from 'vitest';
import { credentialHash, credentialLookupHash, slowCardHashSync } from '../../protocol/index.ts';
import type { HubStore } from '../store/hub-store.ts';
import { TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { cardCredentialOf, cardHashesOf } from './card-hash.ts';
import { importRoster, importRosterAsync, rosterMessage } from './roster.ts';

describe('hub card hashes', () => {
  let store: HubStore;
  useTempHubStore((s) => {
    store = s;
  });

  it('cardCredentialOf is the slow hash a kiosk computes from the roster, whatever the card is written as', async () => {
    importRoster(store, TEST_ROSTER);
    const meta = store.facility.meta();
    const roster = rosterMessage('f1', meta, store.roster.read());
    const kiosk = await credentialLookupHash(roster, { kind: 'card', value: '04a23b4c' });
    expect(await cardCredentialOf(store, '04:A2:3B:4C')).toBe(kiosk);
    expect(await cardCredentialOf(store, '04a23b4c')).toBe(kiosk);
    expect(kiosk).toBe(
      slowCardHashSync(
        credentialHash(meta.credentialKey, { kind: 'card', value: '04a23b4c' }),
        meta.cardHash,
      ),
    );
    expect(roster.guardians.find((g) => g.id === 'g001')?.credentials).toEqual([kiosk]);
  });

  it('cardCredentialOf refuses what is not a card number', async () => {
    await expect(cardCredentialOf(store, 'not a card')).rejects.toMatchObject({ code: 'bad_card' });
    await expect(cardCredentialOf(store, '04a')).rejects.toMatchObject({ code: 'bad_card' });
  });

  it('hashes many cards off the event loop, each once', async () => {
    const hashes = await cardHashesOf(store, ['04a23b4c', '0102030405060708', '04a23b4c']);
    expect([...hashes.keys()].sort()).toEqual(['0102030405060708', '04a23b4c']);
    expect(hashes.get('04a23b4c')).toBe(await cardCredentialOf(store, '04a23b4c'));
  });

  it('importRosterAsync stores what importRoster stores', async () => {
    const summary = await importRosterAsync(store, TEST_ROSTER);
    const hashes = store.roster.read().guardians.flatMap((g) => g.credentials);
    expect(summary.imported.credentials).toBe(2);
    importRoster(store, TEST_ROSTER);
    expect(store.roster.read().guardians.flatMap((g) => g.credentials)).toEqual(hashes);
  });
});
