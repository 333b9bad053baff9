import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Everything a TikTok message can carry besides text: the bytes of its images and videos (kept on
 * disk; a row says where and what), reactions applied to the message they target, notes in the
 * conversation (referrals, history gaps, parked events), and what TikTok says about the message
 * itself (its type, the message it quotes, the raw content of a type we do not know; where an
 * echo was typed is `sent_from`, added with the message authors).
 */
export class InboundMediaReactionsNotes1764960000000 implements MigrationInterface {
  name = 'InboundMediaReactionsNotes1764960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN tiktok_type text,
        ADD COLUMN reply_to_external_id text,
        ADD COLUMN is_follower boolean,
        ADD COLUMN auto_message_type text,
        ADD COLUMN raw jsonb`);
    await q.query(`
      CREATE TABLE inbound_attachments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL,
        tiktok_message_id text NOT NULL,
        position int NOT NULL,
        kind text NOT NULL,
        content_type text NOT NULL,
        file_name text NOT NULL,
        size int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbound_attachments_pkey PRIMARY KEY (id),
        CONSTRAINT inbound_attachments_conversation_id_fkey
          FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      )`);
    // The port's idempotency key: a retried event finds the file the first attempt kept.
    await q.query(
      `CREATE UNIQUE INDEX inbound_attachments_tiktok_message_id_position_key
         ON inbound_attachments (tiktok_message_id, position)`,
    );
    // Keyed by the target's TikTok id, not by our message row: a reaction can be processed before
    // the message it targets (TikTok's seconds put it earlier, or an EEA message is fetched later),
    // and it shows as soon as that message arrives.
    await q.query(`
      CREATE TABLE message_reactions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL,
        tiktok_message_id text NOT NULL,
        reacted_by text NOT NULL,
        emoji text NOT NULL,
        active boolean NOT NULL,
        at timestamptz NOT NULL,
        CONSTRAINT message_reactions_pkey PRIMARY KEY (id),
        CONSTRAINT message_reactions_reacted_by_check CHECK (reacted_by IN ('customer', 'business')),
        CONSTRAINT message_reactions_conversation_id_fkey
          FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      )`);
    // One row per person and emoji: adding and removing move it, the latest TikTok time wins.
    await q.query(
      `CREATE UNIQUE INDEX message_reactions_target_key
         ON message_reactions (conversation_id, tiktok_message_id, reacted_by, emoji)`,
    );
    await q.query(`
      CREATE TABLE conversation_notes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL,
        key text NOT NULL,
        kind text NOT NULL,
        text text NOT NULL,
        data jsonb,
        at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversation_notes_pkey PRIMARY KEY (id),
        CONSTRAINT conversation_notes_conversation_id_fkey
          FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX conversation_notes_conversation_id_key_key
         ON conversation_notes (conversation_id, key)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS conversation_notes`);
    await q.query(`DROP TABLE IF EXISTS message_reactions`);
    await q.query(`DROP TABLE IF EXISTS inbound_attachments`);
    await q.query(`
      ALTER TABLE messages
        DROP COLUMN raw,
        DROP COLUMN auto_message_type,
        DROP COLUMN is_follower,
        DROP COLUMN reply_to_external_id,
        DROP COLUMN tiktok_type`);
  }
}
