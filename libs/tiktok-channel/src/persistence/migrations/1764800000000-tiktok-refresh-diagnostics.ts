import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a failing refresh leaves on the account, for the host's diagnostics and for the rule that
 * flags an account only when TikTok keeps refusing its refresh token: when the current run of
 * failures began, when TikTok's explicit refusals began, and the last error (no secrets in it).
 */
export class TiktokRefreshDiagnostics1764800000000 implements MigrationInterface {
  name = 'TiktokRefreshDiagnostics1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_accounts
        ADD COLUMN refresh_failing_since timestamptz,
        ADD COLUMN refresh_refused_since timestamptz,
        ADD COLUMN last_refresh_error text,
        ADD COLUMN last_refresh_error_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_accounts
        DROP COLUMN last_refresh_error_at,
        DROP COLUMN last_refresh_error,
        DROP COLUMN refresh_refused_since,
        DROP COLUMN refresh_failing_since`);
  }
}
