/*
 * Where a cloud store is, and how to name it without its secrets: light enough for the CLI to parse and
 * print without loading either database driver.
 */

/** Whether `value` names a PostgreSQL database (otherwise the store is SQLite in a data directory). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

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
export function scrubbed(err: unknown, url: string): unknown {
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
