import { ConflictError, ValidationError } from '../../common/errors.ts';
import { isValidDate } from '../../common/time.ts';
import { BEGINNING_OF_TIME, type Roster } from '../../protocol/index.ts';
import { cardHashesOf, cardHashesOfSync } from './card-hash.ts';
import { applySnapshotChange, materialiseRoster, rosterPatchOf } from './history.ts';
import { parseRosterCsv, type ParsedRoster } from './roster-csv.ts';
import type { HubMeta } from '../store/facility.ts';
import type { DatedRoster } from '../store/history.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';

// The CSV format is public through this module (the CLI, tests and tools import it from here).
export {
  CARE_TYPE_COLUMN,
  OPTIONAL_COLUMNS,
  parseRosterCsv,
  readRosterHeader,
  ROSTER_COLUMNS,
  ROSTER_HEADER,
  RosterImportError,
  type OptionalColumn,
  type ParsedChild,
  type ParsedRoster,
  type RosterHeader,
  type RosterProblem,
} from './roster-csv.ts';

export interface ImportSummary {
  imported: { classes: number; children: number; guardians: number; credentials: number };
  /** The live roster's version after the import (unchanged when the import takes effect later). */
  version: number;
  effectiveFrom: string;
  /** The snapshot versions issued (none when the ledgers' part of the roster did not change). */
  snapshotVersions: number[];
}

/** What a roster import writes to: the dated history, the live roster, and the closed months it checks. */
export type RosterImportStore = StoreOf<'facility' | 'roster' | 'history' | 'corrections'> & Transactional;

/**
 * The day an import takes effect from: `given` (YYYY-MM-DD), or by default the facility's business day
 * today, except for a hub's first roster, which holds for all of its past (BEGINNING_OF_TIME: events taken
 * before it was imported are its children's). Throws bad_effective_date for anything but a real date
 * (BEGINNING_OF_TIME included).
 */
export function effectiveDateOf(
  store: StoreOf<'history' | 'roster' | 'corrections'>,
  given: string | undefined,
): string {
  if (given === undefined) {
    // Never had a roster: no import recorded, live tables never written (a hub from before dated rosters
    // has a version, and its roster is already the one of its past: migration 12), and no month closed
    // without one.
    const first =
      store.roster.rosterVersion() === 0 &&
      store.history.imports().length === 0 &&
      store.corrections.closures().length === 0;
    return first ? BEGINNING_OF_TIME : store.history.today();
  }
  if (isValidDate(given)) return given;
  throw new ValidationError(
    'bad_effective_date',
    `the effective date must be a date YYYY-MM-DD, not "${given}"`,
    'effective',
  );
}

/**
 * Refuses an effective date whose month, or a later one, is closed: the roster from that day on is what
 * the closed month's ledgers were built from.
 */
export function checkMonthsOpen(store: StoreOf<'corrections'>, effectiveFrom: string): void {
  const month = effectiveFrom.slice(0, 7);
  const closed = store.corrections.closures().find((c) => c.month >= month);
  if (closed !== undefined) {
    throw new ConflictError(
      'month_closed',
      `${closed.month} is closed: a roster effective ${effectiveFrom} would change its ledgers; choose a day after it`,
    );
  }
}

/** The file's card numbers, for hashing. */
function cardUidsOf(parsed: ParsedRoster): string[] {
  return parsed.guardians.flatMap((g) => g.cardUids);
}

/** The file's roster as the history keeps it: card numbers replaced by their hashes (uid → hash). */
function datedRosterOf(parsed: ParsedRoster, hashes: ReadonlyMap<string, string>): DatedRoster {
  return {
    classes: parsed.classes,
    children: parsed.children,
    guardians: parsed.guardians.map((g) => ({
      id: g.id,
      name: g.name,
      childIds: g.childIds,
      credentials: g.cardUids.map((uid) => {
        const hash = hashes.get(uid);
        if (hash === undefined) throw new Error('a card of the file was not hashed');
        return hash;
      }),
    })),
  };
}

/**
 * Imports a roster file effective from `effectiveFrom` (default: today) on, in one transaction or not at
 * all: it is recorded in the history (it replaces the roster of every day from then on, days before stay as
 * they were), and the live roster tables take it when it is in effect today (a later date waits for its
 * day: edge-hub/facility/history.ts materialiseRoster). Card hashes are slow (~30 ms each) and computed on
 * the calling thread here: the running hub uses importRosterAsync.
 */
export function importRoster(
  store: RosterImportStore,
  csvText: string,
  effectiveFrom?: string,
): ImportSummary {
  const from = effectiveDateOf(store, effectiveFrom);
  const parsed = parseRosterCsv(csvText);
  return recordImport(store, from, datedRosterOf(parsed, cardHashesOfSync(store, cardUidsOf(parsed))));
}

/** importRoster with the cards hashed off the event loop first (the hub's roster job, the CLI). */
export async function importRosterAsync(
  store: RosterImportStore,
  csvText: string,
  effectiveFrom?: string,
): Promise<ImportSummary> {
  const from = effectiveDateOf(store, effectiveFrom);
  const parsed = parseRosterCsv(csvText);
  const hashes = await cardHashesOf(store, cardUidsOf(parsed));
  return recordImport(store, from, datedRosterOf(parsed, hashes));
}

function recordImport(store: RosterImportStore, from: string, roster: DatedRoster): ImportSummary {
  return store.transaction(() => {
    // Inside the transaction: a month closed by the hub meanwhile is seen.
    checkMonthsOpen(store, from);
    store.history.recordImport(from, roster);
    const snapshotVersions = applySnapshotChange(store, from, rosterPatchOf(roster));
    materialiseRoster(store, store.history.today());
    return {
      imported: {
        classes: roster.classes.length,
        children: roster.children.length,
        guardians: roster.guardians.length,
        credentials: roster.guardians.reduce((n, g) => n + g.credentials.length, 0),
      },
      version: store.roster.rosterVersion(),
      effectiveFrom: from,
      snapshotVersions,
    };
  });
}

/**
 * The retained roster message (RosterSchema). `pinHashes`: guardian id → kiosk PIN hash
 * (edge-hub/facility/guardian-pins.ts), shipped as each guardian's `pinHash`. `qrGenerations`: guardian
 * id → QR generation (store.revocations), shipped as `qrGeneration` so kiosks refuse revoked codes.
 */
export function rosterMessage(
  facilityId: string,
  meta: HubMeta,
  roster: RosterData,
  pinHashes: ReadonlyMap<string, string> = new Map(),
  qrGenerations: ReadonlyMap<string, number> = new Map(),
): Roster {
  return {
    facilityId,
    facilityName: meta.facilityName ?? facilityId,
    timeZone: meta.timeZone,
    version: meta.rosterVersion,
    credentialKey: meta.credentialKey,
    cardHash: meta.cardHash,
    qrPublicKey: meta.qrPublicKey,
    classes: roster.classes,
    // The kiosks' roster has no care types: they are for the ledgers only.
    children: roster.children.map(({ id, name, kana, classId }) => ({ id, name, kana, classId })),
    guardians: roster.guardians.map((g) => {
      const pinHash = pinHashes.get(g.id);
      const qrGeneration = qrGenerations.get(g.id);
      return {
        ...g,
        ...(pinHash !== undefined && { pinHash }),
        ...(qrGeneration !== undefined && { qrGeneration }),
      };
    }),
  };
}
