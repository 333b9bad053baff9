import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The host's own tables. Written by hand (no `synchronize`): the unique keys below are what make
 * the TikTok port idempotent, so they are stated here explicitly rather than derived.
 */
export class CreateHelpdeskTables1763900000000 implements MigrationInterface {
  name = 'CreateHelpdeskTables1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inboxes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant text NOT NULL,
        name text NOT NULL,
        channel_type text NOT NULL DEFAULT 'tiktok',
        channel_status text NOT NULL DEFAULT 'active',
        tiktok_account_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inboxes_pkey PRIMARY KEY (id),
        CONSTRAINT inboxes_channel_type_check CHECK (channel_type IN ('tiktok')),
        CONSTRAINT inboxes_channel_status_check
          CHECK (channel_status IN ('active', 'reauthorization_required', 'disconnected'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX inboxes_tiktok_account_id_key ON inboxes (tiktok_account_id) WHERE tiktok_account_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE contacts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        inbox_id uuid NOT NULL,
        tiktok_user_id text NOT NULL,
        name text,
        username text,
        avatar_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contacts_pkey PRIMARY KEY (id),
        CONSTRAINT contacts_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES inboxes (id) ON DELETE CASCADE
      )`);
    // The port's upsertContact conflicts on this key.
    await q.query(
      `CREATE UNIQUE INDEX contacts_inbox_id_tiktok_user_id_key ON contacts (inbox_id, tiktok_user_id)`,
    );

    await q.query(`
      CREATE TABLE conversations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        inbox_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        tiktok_conversation_id text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        last_message_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_pkey PRIMARY KEY (id),
        CONSTRAINT conversations_status_check CHECK (status IN ('open', 'resolved')),
        CONSTRAINT conversations_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES inboxes (id) ON DELETE CASCADE,
        CONSTRAINT conversations_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE
      )`);
    // The port's openConversation conflicts on this key.
    await q.query(
      `CREATE UNIQUE INDEX conversations_inbox_id_tiktok_conversation_id_key ON conversations (inbox_id, tiktok_conversation_id)`,
    );

    await q.query(`
      CREATE TABLE messages (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL,
        direction text NOT NULL,
        content text NOT NULL DEFAULT '',
        attachments jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL,
        failure_reason text,
        external_id text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_pkey PRIMARY KEY (id),
        CONSTRAINT messages_direction_check CHECK (direction IN ('incoming', 'outgoing')),
        CONSTRAINT messages_status_check
          CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'received')),
        CONSTRAINT messages_conversation_id_fkey
          FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      )`);
    // TikTok's message id: a redelivered webhook finds the row it already made. Outgoing messages
    // have no id until TikTok accepts them, hence partial.
    await q.query(
      `CREATE UNIQUE INDEX messages_external_id_key ON messages (external_id) WHERE external_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX messages_conversation_id_created_at_idx ON messages (conversation_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE automation_rules (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        inbox_id uuid,
        trigger text NOT NULL,
        kind text NOT NULL,
        content text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT automation_rules_pkey PRIMARY KEY (id),
        CONSTRAINT automation_rules_trigger_check CHECK (trigger IN ('first_message', 'conversation_resolved')),
        CONSTRAINT automation_rules_kind_check CHECK (kind IN ('auto_reply', 'csat')),
        CONSTRAINT automation_rules_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES inboxes (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE automation_rules`);
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE conversations`);
    await q.query(`DROP TABLE contacts`);
    await q.query(`DROP TABLE inboxes`);
  }
}
