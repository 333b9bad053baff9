import type { DataSource, Migration } from 'typeorm';

/**
 * The advisory lock key held while migrating (`pg_locks.objid` shows its low 32 bits). Fixed and
 * shared by every process of a host, so they queue behind one another.
 */
export const TIKTOK_MIGRATION_LOCK_KEY = 7_464_627_500;

/**
 * Runs the data source's pending migrations (the host's and the library's) while holding a
 * PostgreSQL advisory lock. TypeORM's `migrationsRun` takes no lock: several processes started
 * together on a fresh database all see the same migrations pending and collide creating the same
 * tables, and all but one fail to boot. Behind the lock, the first migrates and the others find
 * nothing left to do.
 *
 * The lock lives on its own connection (the pool needs two), and is released with it if the
 * process dies mid-migration, so a crash never leaves the others waiting.
 */
export async function runMigrationsExclusively(
  dataSource: DataSource,
  options: { transaction?: 'all' | 'none' | 'each' } = {},
): Promise<Migration[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [TIKTOK_MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations({ transaction: options.transaction ?? 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [TIKTOK_MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}
