import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The OAuth state is bound to the browser that started it (`browser_binding`: a hash of the
 * nonce in that browser's cookie), and unfinished attempts are counted per tenant so a storm of
 * authorize requests cannot grow the table without bound. `expires_at` is indexed for the
 * retention job, which deletes expired states. `connected_at` is when the account was last
 * connected: the diagnostics only expect webhooks for messages written since then.
 */
export class TiktokConnectBinding1764400000000 implements MigrationInterface {
  name = 'TiktokConnectBinding1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_oauth_states
        ADD COLUMN tenant text,
        ADD COLUMN browser_binding text`);
    await q.query(
      `CREATE INDEX tiktok_oauth_states_tenant_idx ON tiktok_oauth_states (tenant, created_at) WHERE used_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX tiktok_oauth_states_expires_idx ON tiktok_oauth_states (expires_at)`,
    );
    await q.query(
      `ALTER TABLE tiktok_accounts ADD COLUMN connected_at timestamptz NOT NULL DEFAULT now()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tiktok_accounts DROP COLUMN connected_at`);
    await q.query(`DROP INDEX IF EXISTS tiktok_oauth_states_expires_idx`);
    await q.query(`DROP INDEX IF EXISTS tiktok_oauth_states_tenant_idx`);
    await q.query(`
      ALTER TABLE tiktok_oauth_states
        DROP COLUMN browser_binding,
        DROP COLUMN tenant`);
  }
}
