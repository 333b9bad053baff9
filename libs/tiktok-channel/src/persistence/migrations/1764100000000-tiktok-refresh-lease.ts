import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refresh lease instead of a row lock held through TikTok's refresh call: the lease is taken and
 * released by single statements, so no process holds a transaction (and a pool connection) while
 * TikTok answers, and sweeps in several processes skip each other's accounts instead of waiting.
 * `refresh_retry_at` spaces out sweeps of an account whose refresh failed transiently.
 */
export class TiktokRefreshLease1764100000000 implements MigrationInterface {
  name = 'TiktokRefreshLease1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_accounts
        ADD COLUMN refresh_lease_until timestamptz,
        ADD COLUMN refresh_lease_owner uuid,
        ADD COLUMN refresh_retry_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_accounts
        DROP COLUMN refresh_retry_at,
        DROP COLUMN refresh_lease_owner,
        DROP COLUMN refresh_lease_until`);
  }
}
