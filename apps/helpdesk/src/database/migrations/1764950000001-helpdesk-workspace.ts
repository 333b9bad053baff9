import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the helpdesk page needs beyond messages: the business profile kept per inbox, who wrote
 * each reply (an agent, an automation, or the business in the TikTok app), when an agent last
 * read a conversation (unread counts), satisfaction surveys awaiting an answer, and the ratings.
 */
export class HelpdeskWorkspace1764950000001 implements MigrationInterface {
  name = 'HelpdeskWorkspace1764950000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE inboxes
        ADD COLUMN profile_display_name text,
        ADD COLUMN profile_image_url text,
        ADD COLUMN profile_refreshed_at timestamptz`);
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN author_kind text,
        ADD COLUMN author_user_id uuid,
        ADD COLUMN author_name text,
        ADD COLUMN sent_from text,
        ADD CONSTRAINT messages_author_kind_check
          CHECK (author_kind IN ('agent', 'auto_reply', 'csat', 'tiktok')),
        ADD CONSTRAINT messages_author_user_id_fkey
          FOREIGN KEY (author_user_id) REFERENCES users (id) ON DELETE SET NULL`);
    await q.query(`
      ALTER TABLE conversations
        ADD COLUMN last_read_at timestamptz,
        ADD COLUMN csat_requested_at timestamptz`);
    await q.query(`
      CREATE TABLE csat_ratings (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        inbox_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        message_id uuid NOT NULL,
        rating int NOT NULL,
        rated_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT csat_ratings_pkey PRIMARY KEY (id),
        CONSTRAINT csat_ratings_rating_check CHECK (rating BETWEEN 1 AND 5),
        CONSTRAINT csat_ratings_inbox_id_fkey
          FOREIGN KEY (inbox_id) REFERENCES inboxes (id) ON DELETE CASCADE,
        CONSTRAINT csat_ratings_conversation_id_fkey
          FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT csat_ratings_message_id_fkey
          FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX csat_ratings_message_id_key ON csat_ratings (message_id)`);
    await q.query(`CREATE INDEX csat_ratings_inbox_id_idx ON csat_ratings (inbox_id, rated_at)`);
    await q.query(
      `CREATE INDEX csat_ratings_conversation_id_idx ON csat_ratings (conversation_id, rated_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS csat_ratings`);
    await q.query(
      `ALTER TABLE conversations DROP COLUMN csat_requested_at, DROP COLUMN last_read_at`,
    );
    await q.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_author_user_id_fkey,
        DROP CONSTRAINT messages_author_kind_check,
        DROP COLUMN sent_from, DROP COLUMN author_name, DROP COLUMN author_user_id, DROP COLUMN author_kind`);
    await q.query(`
      ALTER TABLE inboxes
        DROP COLUMN profile_refreshed_at, DROP COLUMN profile_image_url, DROP COLUMN profile_display_name`);
  }
}
