import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable sending of text, images and shared posts:
 * - each part says what it carries (kind, media, post, quoted message) and when it may next be tried;
 * - `tiktok_outbound_media` keeps a prepared image until TikTok has it;
 * - `tiktok_outbound_requests` holds one host message's status and what the host was last told;
 * - a conversation's sends are serialised by a lease on its row, `outbound_due_at` says when it
 *   has work, and its image capability is cached there;
 * - `tiktok_rate_limits` spaces every business's requests, across processes.
 */
export class TiktokOutboundDelivery1764700000000 implements MigrationInterface {
  name = 'TiktokOutboundDelivery1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tiktok_outbound_messages
        ADD COLUMN kind text NOT NULL DEFAULT 'text',
        ADD COLUMN attachment_index int,
        ADD COLUMN referenced_message_id text,
        ADD COLUMN media_id text,
        ADD COLUMN media_uploaded_at timestamptz,
        ADD COLUMN share_item_id text,
        ADD COLUMN failure_detail text,
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN attempt_started_at timestamptz,
        ADD COLUMN reconcile_attempts int NOT NULL DEFAULT 0,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT tiktok_outbound_messages_kind_check
          CHECK (kind IN ('text', 'image', 'share_post', 'link'))`);

    await q.query(`
      CREATE TABLE tiktok_outbound_media (
        part_id uuid NOT NULL,
        content_type text NOT NULL,
        file_name text NOT NULL,
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tiktok_outbound_media_pkey PRIMARY KEY (part_id),
        CONSTRAINT tiktok_outbound_media_part_id_fkey FOREIGN KEY (part_id)
          REFERENCES tiktok_outbound_messages (id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE tiktok_outbound_requests (
        host_message_id text NOT NULL,
        account_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        status text NOT NULL,
        reported_status text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tiktok_outbound_requests_pkey PRIMARY KEY (host_message_id),
        CONSTRAINT tiktok_outbound_requests_status_check
          CHECK (status IN ('pending', 'sent', 'failed')),
        CONSTRAINT tiktok_outbound_requests_account_id_fkey FOREIGN KEY (account_id)
          REFERENCES tiktok_accounts (id) ON DELETE CASCADE,
        CONSTRAINT tiktok_outbound_requests_conversation_id_fkey FOREIGN KEY (conversation_id)
          REFERENCES tiktok_conversations (id) ON DELETE CASCADE
      )`);
    // The sweep looks for final statuses the host has not been told about.
    await q.query(
      `CREATE INDEX tiktok_outbound_requests_unreported_idx ON tiktok_outbound_requests (updated_at)
        WHERE reported_status IS DISTINCT FROM status`,
    );
    // Messages sent before this migration are final and were reported by the sender.
    await q.query(`
      WITH messages AS (
        SELECT host_message_id, (array_agg(account_id))[1] AS account_id,
               (array_agg(conversation_id))[1] AS conversation_id,
               CASE WHEN bool_or(status = 'failed') THEN 'failed'
                    WHEN bool_and(status IN ('sent', 'read')) THEN 'sent'
                    ELSE 'pending' END AS status
          FROM tiktok_outbound_messages GROUP BY host_message_id)
      INSERT INTO tiktok_outbound_requests
        (host_message_id, account_id, conversation_id, status, reported_status)
      SELECT host_message_id, account_id, conversation_id, status, status FROM messages`);

    await q.query(`
      ALTER TABLE tiktok_conversations
        ADD COLUMN outbound_due_at timestamptz,
        ADD COLUMN outbound_lease_until timestamptz,
        ADD COLUMN outbound_lease_owner uuid,
        ADD COLUMN image_send_capability boolean,
        ADD COLUMN capabilities_checked_at timestamptz`);
    await q.query(
      `CREATE INDEX tiktok_conversations_outbound_due_idx ON tiktok_conversations (outbound_due_at)
        WHERE outbound_due_at IS NOT NULL`,
    );
    // A send a crash left unfinished is reconciled by the sweep like any other.
    await q.query(`
      UPDATE tiktok_conversations c SET outbound_due_at = now()
       WHERE EXISTS (SELECT 1 FROM tiktok_outbound_messages o
                      WHERE o.conversation_id = c.id AND o.status IN ('pending', 'sending'))`);

    await q.query(`
      CREATE TABLE tiktok_rate_limits (
        business_id text NOT NULL,
        next_slot_at timestamptz NOT NULL,
        CONSTRAINT tiktok_rate_limits_pkey PRIMARY KEY (business_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tiktok_rate_limits`);
    await q.query(`DROP INDEX IF EXISTS tiktok_conversations_outbound_due_idx`);
    await q.query(`
      ALTER TABLE tiktok_conversations
        DROP COLUMN capabilities_checked_at,
        DROP COLUMN image_send_capability,
        DROP COLUMN outbound_lease_owner,
        DROP COLUMN outbound_lease_until,
        DROP COLUMN outbound_due_at`);
    await q.query(`DROP TABLE IF EXISTS tiktok_outbound_requests`);
    await q.query(`DROP TABLE IF EXISTS tiktok_outbound_media`);
    await q.query(`
      ALTER TABLE tiktok_outbound_messages
        DROP CONSTRAINT tiktok_outbound_messages_kind_check,
        DROP COLUMN updated_at,
        DROP COLUMN reconcile_attempts,
        DROP COLUMN attempt_started_at,
        DROP COLUMN next_attempt_at,
        DROP COLUMN failure_detail,
        DROP COLUMN share_item_id,
        DROP COLUMN media_uploaded_at,
        DROP COLUMN media_id,
        DROP COLUMN referenced_message_id,
        DROP COLUMN attachment_index,
        DROP COLUMN kind`);
  }
}
