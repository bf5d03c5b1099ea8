import pg from 'pg';
import { until } from './wait.ts';

/** PostgreSQL test helpers: a client of its own for a test's direct queries, and lock observation. */

/** Runs `work` on a new connection to `url`, closed after. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls until `count` backends of the database wait on a lock (heavyweight or advisory). */
export async function waitForLockWaiters(url: string, count: number, locktype: string): Promise<void> {
  await withClient(url, (c) =>
    until(
      async () => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
           WHERE NOT l.granted AND l.locktype = $1 AND d.datname = current_database()`,
          [locktype],
        );
        return (rows[0]?.n ?? 0) >= count;
      },
      `${count} backends waiting on a ${locktype} lock`,
      { intervalMs: 20 },
    ),
  );
}
