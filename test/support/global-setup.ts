import { join } from 'node:path';
import { startLocalPostgres } from '../../apps/helpdesk/src/database/local-postgres';

/**
 * One PostgreSQL for the whole run: the one `DATABASE_URL` names, or a throwaway embedded server.
 * Suites create their own databases in it (see test-database.ts), so they never share rows.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = join(__dirname, '..', '..', '.data', `test-pg-${process.pid}`);
  // fsync off: a throwaway cluster for one run, where speed matters and an OS crash loses nothing
  // worth keeping. The demo runs with fsync on.
  const server = await startLocalPostgres({ dataDir, persistent: false, fsync: false });
  process.env.TEST_ADMIN_DATABASE_URL = server.url;
  (globalThis as { __TEST_PG__?: { stop(): Promise<void> } }).__TEST_PG__ = server;
}
