import { GenkanError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { CloudErrorCodes } from '../errors.ts';
import { isPostgresUrl, scrubbed, type CloudStoreLocation } from './location.ts';
import type { CloudStore } from './types.ts';

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
      // Each backend's driver loads only when it is the one used.
      const { openCloudPostgresStore } = await import('./postgres.ts');
      return await openCloudPostgresStore(db, { logger });
    } catch (err) {
      throw scrubbed(err, db);
    }
  }
  if (dataDir === undefined || dataDir === '') {
    throw new GenkanError('missing_store', 'the cloud store needs a data directory or a postgres:// URL');
  }
  const { openCloudSqliteStore } = await import('./sqlite.ts');
  return openCloudSqliteStore(dataDir, { logger });
}
