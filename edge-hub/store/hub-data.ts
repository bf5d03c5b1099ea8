import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, GenkanError } from '../../common/errors.ts';
import { HUB_DB_FILE, HubStore, type StoreOpenOptions } from './hub-store.ts';

/**
 * A hub comes into being once, by `genkan hub init` (or `genkan hub restore`); every later start and
 * command opens an existing hub's data. Before issue 15 any open created a hub: an empty or truncated
 * hub.sqlite started silently as a new facility with new keys, which every kiosk, card and QR code
 * then failed against.
 */
export class HubNotInitialisedError extends GenkanError {
  constructor(dataDir: string, why: string) {
    super(
      'hub_not_initialised',
      `${dataDir} holds no initialised hub (${why}); create one with \`genkan hub init --data ${dataDir}\`, or restore a backup`,
    );
  }
}

/** What init fixed, and what `genkan hub init` prints. */
export interface HubInitialised {
  initialised: true;
  facility: string;
}

interface MetaProbe {
  facility_id: string | null;
  credential_key: string | null;
}

/**
 * Whether DIR holds an initialised hub: hub.sqlite with its facility row, a facility id and the keys.
 * Read-only: it never creates a file or a key, whatever it finds.
 */
export function hubInitProblem(dataDir: string): string | undefined {
  const file = join(dataDir, HUB_DB_FILE);
  if (!existsSync(file)) return `no ${HUB_DB_FILE}`;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare<[], MetaProbe>('SELECT * FROM meta WHERE id = 1').get();
    if (row === undefined) return 'no facility row';
    if (row.facility_id === null) return 'no facility id';
    if (row.credential_key === null || row.credential_key === '') return 'no keys';
    return undefined;
  } catch {
    // Empty, truncated or not a database at all: not a hub either way.
    return `${HUB_DB_FILE} has no facility row`;
  } finally {
    db?.close();
  }
}

/** Throws HubNotInitialisedError unless DIR holds an initialised hub. */
export function assertHubInitialised(dataDir: string): void {
  const problem = hubInitProblem(dataDir);
  if (problem !== undefined) throw new HubNotInitialisedError(dataDir, problem);
}

/** Opens an existing hub's data (every hub command but init and restore); see assertHubInitialised. */
export function openHubData(dataDir: string, options: StoreOpenOptions = {}): HubStore {
  assertHubInitialised(dataDir);
  return HubStore.open(dataDir, options);
}

/**
 * `genkan hub init`: creates the database, its keys (card hashes, QR signing) and the facility row with
 * the facility id (default "demo"), its name and time zone. An initialised dir is refused: its keys are
 * what the kiosks, cards and QR codes already trust.
 */
export function initHub(
  dataDir: string,
  options: { facilityId?: string; facilityName?: string; timeZone?: string } = {},
): HubInitialised {
  if (hubInitProblem(dataDir) === undefined) {
    throw new ConflictError(
      'already_initialised',
      `${dataDir} already holds a hub; it keeps its facility and keys`,
    );
  }
  const store = HubStore.open(dataDir, options.timeZone === undefined ? {} : { timeZone: options.timeZone });
  try {
    const facility = store.facility.claimFacility(options.facilityId, options.facilityName);
    return { initialised: true, facility };
  } finally {
    store.close();
  }
}
