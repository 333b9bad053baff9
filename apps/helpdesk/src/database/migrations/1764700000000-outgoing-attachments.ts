import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replies with attachments: the files an agent attached (so the page can show what was sent), and
 * on each message the status of every TikTok message it became, with the library's sentence when
 * something failed.
 */
export class OutgoingAttachments1764700000000 implements MigrationInterface {
  name = 'OutgoingAttachments1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN parts jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN failure_detail text`);
    await q.query(`
      CREATE TABLE outgoing_attachments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        message_id uuid NOT NULL,
        position int NOT NULL,
        content_type text NOT NULL,
        file_name text NOT NULL,
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outgoing_attachments_pkey PRIMARY KEY (id),
        CONSTRAINT outgoing_attachments_message_id_fkey
          FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX outgoing_attachments_message_id_idx ON outgoing_attachments (message_id, position)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS outgoing_attachments`);
    await q.query(`ALTER TABLE messages DROP COLUMN failure_detail, DROP COLUMN parts`);
  }
}
