import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TiktokChannelInitial1764000000000 implements MigrationInterface {
  name = 'TiktokChannelInitial1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tiktok_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant text NOT NULL,
        host_inbox_id text UNIQUE,
        business_id text NOT NULL UNIQUE,
        username text NOT NULL,
        display_name text NOT NULL,
        profile_image_url text,
        status text NOT NULL CHECK (status IN ('active', 'reauthorization_required', 'disconnected')),
        status_reason text,
        scopes text[] NOT NULL DEFAULT '{}',
        access_token_enc text NOT NULL,
        refresh_token_enc text NOT NULL,
        access_token_expires_at timestamptz NOT NULL,
        refresh_token_expires_at timestamptz NOT NULL,
        refresh_failures int NOT NULL DEFAULT 0,
        last_refreshed_at timestamptz,
        refresh_expiry_warned_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The refresh sweep looks for active accounts nearing expiry.
    await q.query(
      `CREATE INDEX tiktok_accounts_refresh_idx ON tiktok_accounts (access_token_expires_at) WHERE status = 'active'`,
    );

    await q.query(`
      CREATE TABLE tiktok_oauth_states (
        nonce text PRIMARY KEY,
        context jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE tiktok_webhook_events (
        id bigserial PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        event text NOT NULL,
        business_id text,
        tiktok_conversation_id text,
        event_timestamp bigint,
        raw_body text NOT NULL,
        content jsonb,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'ignored', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      )`);
    // Workers claim pending events in TikTok order: the partial index is walked in that order (the
    // due-time filter is applied on the way) and stays small however long the history grows.
    await q.query(
      `CREATE INDEX tiktok_webhook_events_pending_idx ON tiktok_webhook_events (event_timestamp NULLS FIRST, id) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX tiktok_webhook_events_conversation_idx ON tiktok_webhook_events (business_id, tiktok_conversation_id, event_timestamp, id) WHERE status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE tiktok_conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES tiktok_accounts(id) ON DELETE CASCADE,
        tiktok_conversation_id text NOT NULL,
        tiktok_user_id text NOT NULL,
        host_inbox_id text NOT NULL,
        host_contact_id text NOT NULL,
        host_conversation_id text NOT NULL UNIQUE,
        last_inbound_at timestamptz,
        last_read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, tiktok_conversation_id)
      )`);

    await q.query(`
      CREATE TABLE tiktok_outbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES tiktok_accounts(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES tiktok_conversations(id) ON DELETE CASCADE,
        host_message_id text NOT NULL,
        part_index int NOT NULL,
        message_type text NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'read')),
        tiktok_message_id text UNIQUE,
        failure_reason text,
        attempts int NOT NULL DEFAULT 0,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (host_message_id, part_index)
      )`);
    await q.query(
      `CREATE INDEX tiktok_outbound_messages_conversation_idx ON tiktok_outbound_messages (conversation_id, status)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tiktok_outbound_messages`);
    await q.query(`DROP TABLE IF EXISTS tiktok_conversations`);
    await q.query(`DROP TABLE IF EXISTS tiktok_webhook_events`);
    await q.query(`DROP TABLE IF EXISTS tiktok_oauth_states`);
    await q.query(`DROP TABLE IF EXISTS tiktok_accounts`);
  }
}
