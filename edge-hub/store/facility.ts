import type { KeyObject } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { GenkanError, ValidationError } from '../../common/errors.ts';
import type { Db } from '../../common/sqlite.ts';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../../common/time.ts';
import {
  generateQrKeyPair,
  ID_RE,
  importQrPrivateKey,
  newCardHashScheme,
  newCredentialKey,
  parseCardHashScheme,
  textProblem,
  type CardHashScheme,
} from '../../protocol/index.ts';

export const DEFAULT_FACILITY_ID = 'demo';

export interface HubMeta {
  /** Null until the hub's first start fixes it (claimFacility). */
  facilityId: string | null;
  facilityName: string | null;
  timeZone: string;
  /** base64 HMAC key for credential hashes; handed to kiosks in the roster. */
  credentialKey: string;
  /** How card hashes are made from the key (protocol/credentials.ts); handed to kiosks in the roster. */
  cardHash: CardHashScheme;
  rosterVersion: number;
  adminTokenHash: string | null;
  /** base64 raw Ed25519 public key for guardian QR codes; handed to kiosks in the roster. */
  qrPublicKey: string;
}

/** The facility row (table meta): who the hub is, its zone and its keys. */
export interface FacilityStore {
  meta(): HubMeta;
  /**
   * Fixes the facility on the hub's first start (`facilityId`, default "demo") and returns it. Later starts
   * may omit it; naming another facility fails, because devices and the cloud know the hub by it.
   */
  claimFacility(facilityId?: string, facilityName?: string): string;
  /**
   * Renames the facility (the settings' facilityName) and moves the roster version on, so that kiosks are
   * sent the name (the roster carries it). Returns false when the name was already that.
   */
  rename(facilityName: string): boolean;
  /**
   * The facility's QR signing key. Only `genkan qr issue` (and tests) call this; the key is not part of
   * HubMeta so that it cannot end up in a roster, a log line or an API answer by accident.
   */
  qrSigningKey(): KeyObject;
  setAdminTokenHash(hash: string): void;
}

interface MetaRow {
  facility_id: string | null;
  facility_name: string | null;
  time_zone: string;
  credential_key: string;
  roster_version: number;
  admin_token_hash: string | null;
  qr_public_key: string | null;
  card_hash_scheme: string | null;
}

export class SqliteFacilityStore implements FacilityStore {
  private readonly db: Db;
  private readonly metaStmt: Statement<[], MetaRow>;

  constructor(db: Db) {
    this.db = db;
    this.metaStmt = db.prepare(
      `SELECT facility_id, facility_name, time_zone, credential_key, roster_version, admin_token_hash,
         qr_public_key, card_hash_scheme FROM meta WHERE id = 1`,
    );
  }

  /**
   * Makes sure the facility row exists (a new data dir gets `timeZone`, default Asia/Tokyo) and returns it;
   * an existing row must have the zone when one is given.
   */
  init(timeZone: string | undefined): HubMeta {
    if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
      throw new ValidationError('bad_time_zone', `unknown time zone: ${timeZone}`, 'timeZone');
    }
    // OR IGNORE: a CLI command and the hub may create the row at the same moment; the first one wins.
    const qr = generateQrKeyPair();
    this.db
      .prepare(
        `INSERT OR IGNORE INTO meta
           (id, time_zone, credential_key, roster_version, qr_private_key, qr_public_key, card_hash_scheme)
         VALUES (1, ?, ?, 0, ?, ?, ?)`,
      )
      .run(
        timeZone ?? DEFAULT_TIME_ZONE,
        newCredentialKey(),
        qr.privateKey,
        qr.publicKey,
        JSON.stringify(newCardHashScheme()),
      );
    const meta = this.meta();
    if (timeZone !== undefined && meta.timeZone !== timeZone) {
      throw new GenkanError(
        'time_zone_mismatch',
        `this data directory uses time zone ${meta.timeZone}, not ${timeZone}`,
      );
    }
    return meta;
  }

  claimFacility(facilityId?: string, facilityName?: string): string {
    if (facilityId !== undefined && !ID_RE.test(facilityId)) {
      throw new ValidationError('bad_facility', `not a valid facility id: ${facilityId}`, 'facilityId');
    }
    if (facilityName !== undefined) checkFacilityName(facilityName);
    return this.db
      .transaction(() => {
        const meta = this.meta();
        const id = meta.facilityId ?? facilityId ?? DEFAULT_FACILITY_ID;
        if (facilityId !== undefined && facilityId !== id) {
          throw new GenkanError(
            'facility_mismatch',
            `this data directory belongs to facility "${id}", not "${facilityId}"`,
          );
        }
        const name = facilityName ?? meta.facilityName ?? id;
        if (id !== meta.facilityId || name !== meta.facilityName) {
          this.db.prepare('UPDATE meta SET facility_id = ?, facility_name = ? WHERE id = 1').run(id, name);
        }
        return id;
      })
      .immediate();
  }

  rename(facilityName: string): boolean {
    checkFacilityName(facilityName);
    const changed = this.db
      .prepare(
        `UPDATE meta SET facility_name = ?, roster_version = roster_version + 1
          WHERE id = 1 AND facility_name IS NOT ?`,
      )
      .run(facilityName, facilityName);
    return changed.changes > 0;
  }

  meta(): HubMeta {
    const r = this.metaStmt.get();
    if (!r) throw new GenkanError('no_meta', 'hub database has no facility row');
    // Never null in practice: migration 4 fills an existing row and init creates new rows with a pair.
    if (r.qr_public_key === null) throw new GenkanError('no_qr_key', 'hub database has no QR key pair');
    // Never null either: migration 17 fills an existing row and init creates new rows with a scheme.
    const cardHash = r.card_hash_scheme === null ? undefined : parseCardHashScheme(r.card_hash_scheme);
    if (cardHash === undefined) {
      throw new GenkanError('no_card_hash', 'hub database has no valid card hash scheme');
    }
    return {
      facilityId: r.facility_id,
      facilityName: r.facility_name,
      timeZone: r.time_zone,
      credentialKey: r.credential_key,
      cardHash,
      rosterVersion: r.roster_version,
      adminTokenHash: r.admin_token_hash,
      qrPublicKey: r.qr_public_key,
    };
  }

  qrSigningKey(): KeyObject {
    const r = this.db
      .prepare<[], { qr_private_key: string | null }>('SELECT qr_private_key FROM meta WHERE id = 1')
      .get();
    if (!r?.qr_private_key) throw new GenkanError('no_qr_key', 'hub database has no QR signing key');
    return importQrPrivateKey(r.qr_private_key);
  }

  setAdminTokenHash(hash: string): void {
    this.db.prepare('UPDATE meta SET admin_token_hash = ? WHERE id = 1').run(hash);
  }
}

/** The snapshot carries the name to the cloud (at most 200 characters there), and ledgers print it. */
function checkFacilityName(facilityName: string): void {
  const problem = textProblem(facilityName, 200);
  if (problem !== undefined || facilityName.trim() === '') {
    throw new ValidationError(
      'bad_facility_name',
      `the facility name ${problem ?? 'is empty'}`,
      'facilityName',
    );
  }
}
