import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { Amendment } from '../../protocol/history.ts';
import { sampleAmendment, type CloudStoreContext } from './cloud-store-fixtures.ts';

/** Amendments (corrections of closed months). Part of the CloudStore contract (cloud-store.ts). */
export function describeAmendmentsContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('amendments', () => {
    beforeEach(async () => {
      await store.addHub('hub-1', 'fac-a');
    });

    it('stores an amendment once: the same content again is a no-op', async () => {
      const a = sampleAmendment();
      expect(await store.putAmendment('fac-a', 'hub-1', a)).toBe(true);
      expect(await store.putAmendment('fac-a', 'hub-1', structuredClone(a))).toBe(false);
      expect(await store.amendments('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([a]);
    });

    it('refuses other content under a stored correction id (amendment_conflict)', async () => {
      const a = sampleAmendment();
      await store.putAmendment('fac-a', 'hub-1', a);
      await expect(store.putAmendment('fac-a', 'hub-1', { ...a, reason: 'ちがう' })).rejects.toMatchObject({
        code: CloudErrorCodes.amendmentConflict,
      });
      expect(await store.amendments('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([a]);
    });

    it('lists the amendments of the days of a range, oldest first by at, then correction id', async () => {
      await store.addHub('hub-b', 'fac-b');
      const at = (time: string) => `2026-05-0${time}+09:00`;
      const late = sampleAmendment({ at: at('3T09:00:00'), date: '2026-04-30' });
      const early = sampleAmendment({ at: at('2T09:00:00'), date: '2026-04-01' });
      const [tieA, tieB] = [sampleAmendment(), sampleAmendment()].sort((x, y) =>
        x.correctionId < y.correctionId ? -1 : 1,
      ) as [Amendment, Amendment];
      const march = sampleAmendment({ date: '2026-03-31' });
      const other = sampleAmendment();
      for (const a of [late, tieB, march, early, tieA]) await store.putAmendment('fac-a', 'hub-1', a);
      await store.putAmendment('fac-b', 'hub-b', other);
      expect(await store.amendments('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([
        early,
        tieA,
        tieB,
        late,
      ]);
      expect(await store.amendments('fac-a', '2026-04-10', '2026-04-10')).toStrictEqual([tieA, tieB]);
      expect(await store.amendments('fac-a', '2026-03-01', '2026-03-31')).toStrictEqual([march]);
      expect(await store.amendments('fac-a', '2026-06-01', '2026-06-30')).toStrictEqual([]);
      expect(await store.amendments('fac-b', '2026-04-01', '2026-04-30')).toStrictEqual([other]);
      expect(await store.amendments('fac-nobody', '2026-04-01', '2026-04-30')).toStrictEqual([]);
    });

    it('refuses an unknown facility, a malformed amendment, bad dates and ranges, storing nothing', async () => {
      const refusals: [() => Promise<unknown>, string][] = [
        [() => store.putAmendment('fac-zzz', 'hub-1', sampleAmendment()), CloudErrorCodes.unknownFacility],
        [
          () => store.putAmendment('fac-a', 'hub-1', sampleAmendment({ correctionId: 'x' })),
          CloudErrorCodes.invalidAmendment,
        ],
        [
          () => store.putAmendment('fac-a', 'hub-1', sampleAmendment({ at: 'yesterday' })),
          CloudErrorCodes.invalidAmendment,
        ],
        [
          () => store.putAmendment('fac-a', 'hub-1', sampleAmendment({ date: '2026-02-30' })),
          CloudErrorCodes.invalidDate,
        ],
        [() => store.putAmendment('fac-a', 'hub.1', sampleAmendment()), CloudErrorCodes.invalidId],
        [() => store.amendments('fac-a', '2026-04-30', '2026-04-01'), CloudErrorCodes.invalidDate],
        [() => store.amendments('fac-a', '2026-04-01', '2026-04-31'), CloudErrorCodes.invalidDate],
      ];
      for (const [call, code] of refusals) await expect(call()).rejects.toMatchObject({ code });
      expect(await store.amendments('fac-a', '2026-01-01', '2026-12-31')).toStrictEqual([]);
    });
  });
}
