import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  ConversationNote,
  EchoMessage,
  FailureReason,
  InboundAttachmentUpload,
  InboundMessage,
  MessageReaction,
  OutboundPartStatus,
  TiktokAccountStatus,
  TiktokAccountView,
  TiktokHelpdeskPort,
} from 'tiktok-channel';
import { InboundAttachmentStore } from '../attachments/inbound-attachment.store';
import { queryRows } from '../database/sql';
import { appendMessages } from './append-messages';

type IdRow = { id: string };

/**
 * Where the TikTok library writes into the helpdesk. TikTok redelivers webhooks and the library
 * retries, so every method is a single idempotent statement (or a short transaction) keyed on a
 * unique index: a repeated call finds the row the first one made instead of adding another.
 *
 * The library instantiates it; it may inject the DataSource (global) and whatever the modules
 * given in the channel's `imports` export, or global ones (the attachment store).
 */
@Injectable()
export class HelpdeskTiktokAdapter implements TiktokHelpdeskPort {
  constructor(
    private readonly dataSource: DataSource,
    private readonly attachments: InboundAttachmentStore,
  ) {}

  async upsertInbox(a: {
    tenant: string;
    account: TiktokAccountView;
    inboxId?: string;
  }): Promise<{ inboxId: string }> {
    return this.dataSource.transaction(async (tx) => {
      if (a.inboxId) {
        // Reconnecting: the person chose this inbox, so the account moves here and the inbox keeps
        // its name (an admin may have renamed it) and its history.
        await queryRows(
          tx,
          `UPDATE inboxes SET tiktok_account_id = NULL WHERE tiktok_account_id = $1 AND id::text <> $2`,
          [a.account.accountId, a.inboxId],
        );
        const updated = await queryRows<IdRow>(
          tx,
          `UPDATE inboxes SET tiktok_account_id = $2, channel_status = $3
            WHERE id::text = $1 RETURNING id`,
          [a.inboxId, a.account.accountId, a.account.status],
        );
        if (updated.length > 0) return { inboxId: updated[0].id };
        // The inbox is gone (deleted, or a hand-made link): fall through and give the account a new one.
      }
      const [row] = await queryRows<IdRow>(
        tx,
        `INSERT INTO inboxes (tenant, name, channel_type, channel_status, tiktok_account_id)
         VALUES ($1, $2, 'tiktok', $3, $4)
         ON CONFLICT (tiktok_account_id) WHERE tiktok_account_id IS NOT NULL
         DO UPDATE SET channel_status = EXCLUDED.channel_status
         RETURNING id`,
        [a.tenant, `TikTok @${a.account.username}`, a.account.status, a.account.accountId],
      );
      return { inboxId: row.id };
    });
  }

  async upsertContact(c: {
    inboxId: string;
    tiktokUserId: string;
    username?: string;
    displayName?: string;
    avatarUrl?: string;
  }): Promise<{ contactId: string }> {
    // A later event may know less about the person (no profile fetched): keep what we had.
    const [row] = await queryRows<IdRow>(
      this.dataSource,
      `INSERT INTO contacts (inbox_id, tiktok_user_id, name, username, avatar_url)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (inbox_id, tiktok_user_id) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, contacts.name),
         username = COALESCE(EXCLUDED.username, contacts.username),
         avatar_url = COALESCE(EXCLUDED.avatar_url, contacts.avatar_url)
       RETURNING id`,
      [c.inboxId, c.tiktokUserId, c.displayName ?? null, c.username ?? null, c.avatarUrl ?? null],
    );
    return { contactId: row.id };
  }

  async openConversation(c: {
    inboxId: string;
    contactId: string;
    tiktokConversationId: string;
  }): Promise<{ conversationId: string; isNew: boolean }> {
    // One round trip in the usual cases: the new row, or else the one already there. A concurrent
    // insert of the same key that commits while this statement runs is invisible to its snapshot
    // (no row at all): then a second statement finds it.
    const [row] = await queryRows<IdRow & { is_new: boolean }>(
      this.dataSource,
      `WITH inserted AS (
         INSERT INTO conversations (inbox_id, contact_id, tiktok_conversation_id)
         VALUES ($1, $2, $3)
         ON CONFLICT (inbox_id, tiktok_conversation_id) DO NOTHING
         RETURNING id)
       SELECT id, true AS is_new FROM inserted
       UNION ALL
       SELECT id, false FROM conversations
        WHERE inbox_id = $1 AND tiktok_conversation_id = $3 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [c.inboxId, c.contactId, c.tiktokConversationId],
    );
    if (row) return { conversationId: row.id, isNew: row.is_new };
    const [existing] = await queryRows<IdRow>(
      this.dataSource,
      `SELECT id FROM conversations WHERE inbox_id = $1 AND tiktok_conversation_id = $2`,
      [c.inboxId, c.tiktokConversationId],
    );
    return { conversationId: existing.id, isNew: false };
  }

  /** One statement: see `appendMessages` for the rules (CSAT answers, reopening, authors). */
  async appendMessage(
    m: InboundMessage | EchoMessage,
  ): Promise<{ messageId: string; created: boolean }> {
    const [appended] = await appendMessages(this.dataSource, [m]);
    return appended;
  }

  /** Many messages in one statement, as if appended one after the other in this order. */
  appendMessages(
    messages: Array<InboundMessage | EchoMessage>,
  ): Promise<Array<{ messageId: string; created: boolean }>> {
    return appendMessages(this.dataSource, messages);
  }

  async updateMessageStatus(s: {
    messageId: string;
    status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
    reason?: FailureReason;
    detail?: string;
    tiktokMessageId?: string;
    tiktokMessageIds?: string[];
    parts?: OutboundPartStatus[];
    at: Date;
  }): Promise<void> {
    // Reports can arrive late or twice (a retried send, a read receipt before the send's answer,
    // a `pending` racing the final report): the status only moves forward along
    // pending → sent/failed → delivered → read, while the TikTok id is recorded whatever the order.
    // `failed` and `sent` share a rank so that a retry can succeed after a failure, and a send
    // that failed after an earlier report still shows. Parts and the sentence follow the status.
    await queryRows(
      this.dataSource,
      `UPDATE messages SET
         status = CASE WHEN ${rank('$2')} >= ${rank('status')} THEN $2 ELSE status END,
         failure_reason = CASE
           WHEN ${rank('$2')} < ${rank('status')} THEN failure_reason
           WHEN $2 = 'failed' THEN COALESCE($3, 'unknown')
           ELSE NULL END,
         failure_detail = CASE
           WHEN ${rank('$2')} < ${rank('status')} THEN failure_detail
           WHEN $2 = 'failed' THEN $6
           ELSE NULL END,
         parts = CASE WHEN ${rank('$2')} >= ${rank('status')} AND $7::jsonb IS NOT NULL THEN $7::jsonb ELSE parts END,
         external_id = COALESCE($4, external_id),
         sent_at = CASE WHEN $2 = 'sent' THEN COALESCE(sent_at, $5) ELSE sent_at END
       WHERE id = $1`,
      [
        s.messageId,
        s.status,
        s.reason ?? null,
        s.tiktokMessageId ?? null,
        s.at,
        s.detail ?? null,
        s.parts ? JSON.stringify(s.parts) : null,
      ],
    );
  }

  /** Streams the bytes to disk under the attachment's key; see InboundAttachmentStore. */
  storeAttachment(a: InboundAttachmentUpload): Promise<{ url: string; size: number }> {
    return this.attachments.store(a);
  }

  /**
   * One row per (target, person, emoji), moved by the latest TikTok time: a repeated or late "add"
   * older than a "remove" does not bring the reaction back, whatever order they arrive in. The row
   * is kept even when the target has not arrived yet (`applied: false`): TikTok's timestamps in
   * seconds can order a reaction before its message, and it shows once the message is there.
   */
  async applyReaction(r: MessageReaction): Promise<{ applied: boolean }> {
    await queryRows(
      this.dataSource,
      `INSERT INTO message_reactions (conversation_id, tiktok_message_id, reacted_by, emoji, active, at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (conversation_id, tiktok_message_id, reacted_by, emoji) DO UPDATE
         SET active = EXCLUDED.active, at = EXCLUDED.at
         WHERE message_reactions.at <= EXCLUDED.at`,
      [r.conversationId, r.tiktokMessageId, r.by, r.emoji, r.operation === 'add', r.at],
    );
    const [target] = await queryRows<IdRow>(
      this.dataSource,
      `SELECT id FROM messages WHERE external_id = $1 AND conversation_id = $2`,
      [r.tiktokMessageId, r.conversationId],
    );
    return { applied: target !== undefined };
  }

  /** Keyed by (conversation, key): the same note delivered again is the first one. */
  async appendNote(n: ConversationNote): Promise<void> {
    await queryRows(
      this.dataSource,
      `INSERT INTO conversation_notes (conversation_id, key, kind, text, data, at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (conversation_id, key) DO NOTHING`,
      [n.conversationId, n.key, n.kind, n.text, n.data ? JSON.stringify(n.data) : null, n.at],
    );
  }

  async onAccountStatus(s: {
    inboxId: string;
    status: TiktokAccountStatus;
    reason?: string;
  }): Promise<void> {
    await queryRows(this.dataSource, `UPDATE inboxes SET channel_status = $2 WHERE id::text = $1`, [
      s.inboxId,
      s.status,
    ]);
  }
}

/** SQL for the position of a message status in its life, used to ignore stale reports. */
function rank(expression: string): string {
  return `(CASE ${expression}::text WHEN 'pending' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 1
    WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 0 END)`;
}
