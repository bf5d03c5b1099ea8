import { GenkanError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { CloudErrorCodes } from '../errors.ts';
import { isPostgresUrl, openCloudPostgresStore } from './postgres.ts';
import { openCloudSqliteStore } from './sqlite.ts';
import type { CloudStore } from './types.ts';

/** Where the cloud store lives: a postgres:// URL (PostgreSQL), or else a data directory (SQLite). */
export interface CloudStoreLocation {
  /** Data directory holding cloud.sqlite; used when `db` is not given. */
  dataDir?: string | undefined;
  /** postgres:// or postgresql:// URL; when given, the store is PostgreSQL and dataDir is not used. */
  db?: string | undefined;
}

/** Query parameters of a connection URL that pg reads as secrets. */
const SECRET_PARAMS = ['password', 'sslpassword'];
const REDACTED = '***';

/**
 * The URL with its password (in the userinfo or as a query parameter) replaced by ***, for logs and the
 * ready line. A URL that does not parse is not shown at all: it could hold the password anywhere.
 */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparsable database URL)';
  }
  if (parsed.password !== '') parsed.password = REDACTED;
  for (const name of SECRET_PARAMS) {
    if (parsed.searchParams.has(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/** The secrets of a URL as they could appear in an error message (raw and percent-decoded). */
function secretsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const secrets = [parsed.password, ...SECRET_PARAMS.map((p) => parsed.searchParams.get(p) ?? '')];
  const decoded = secrets.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return [...secrets, ...decoded].filter((s) => s.length > 0);
}

/** An error whose message and stack no longer contain any secret of `url` (it is printed and logged). */
function scrubbed(err: unknown, url: string): unknown {
  if (!(err instanceof Error)) return err;
  for (const secret of secretsOf(url)) {
    err.message = err.message.replaceAll(secret, REDACTED);
    if (err.stack !== undefined) err.stack = err.stack.replaceAll(secret, REDACTED);
  }
  return err;
}

/** Which backend a location selects, and how to name it in logs (never with a password). */
export function describeStoreLocation(location: CloudStoreLocation): {
  store: 'sqlite' | 'postgres';
  at: string;
} {
  if (location.db !== undefined && location.db !== '')
    return { store: 'postgres', at: redactDatabaseUrl(location.db) };
  return { store: 'sqlite', at: location.dataDir ?? '' };
}

/** Opens (creating and migrating as needed) the store at `location`. */
export async function openCloudStore(location: CloudStoreLocation, logger: Logger): Promise<CloudStore> {
  const { db, dataDir } = location;
  if (db !== undefined && db !== '') {
    if (!isPostgresUrl(db)) {
      // The value itself is not echoed: a mistyped URL may still carry a password.
      throw new ValidationError(
        CloudErrorCodes.invalidDatabaseUrl,
        'the database must be a postgres:// or postgresql:// URL',
        'db',
      );
    }
    try {
      return await openCloudPostgresStore(db, { logger });
    } catch (err) {
      throw scrubbed(err, db);
    }
  }
  if (dataDir === undefined || dataDir === '') {
    throw new GenkanError('missing_store', 'the cloud store needs a data directory or a postgres:// URL');
  }
  return openCloudSqliteStore(dataDir, { logger });
}
