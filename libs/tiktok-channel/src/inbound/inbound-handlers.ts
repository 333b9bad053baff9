import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import {
  TiktokEvents,
  type ConversationOpenedEvent,
  type MessageReadEvent,
  type MessageReceivedEvent,
} from '../host/tiktok-events';
import { queryRows } from '../persistence/sql';
import { block, str } from './content-fields';
import type { HandlerVerdict, InboundEventRow, Publication } from './inbound-event';
import { toHostContent } from './message-content';

interface AccountRow {
  id: string;
  host_inbox_id: string | null;
}

interface ConversationRow {
  id: string;
  host_inbox_id: string;
  host_contact_id: string;
  host_conversation_id: string;
  last_inbound_at: Date | null;
}

/** How long an unfinished send of ours may hold back an unmatched echo before it is taken as foreign. */
const PENDING_SEND_WINDOW_SECONDS = 120;

/** One method per handled webhook event; all library writes go through the caller's transaction. */
@Injectable()
export class InboundHandlers {
  constructor(@Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort) {}

  async handle(
    manager: EntityManager,
    event: InboundEventRow,
    out: Publication[],
  ): Promise<HandlerVerdict> {
    const [account] = await queryRows<AccountRow>(
      manager,
      `SELECT id, host_inbox_id FROM tiktok_accounts WHERE business_id = $1`,
      [event.business_id],
    );
    if (!account?.host_inbox_id)
      return { outcome: 'ignored', note: 'no connected account for this business' };
    switch (event.event) {
      case 'im_receive_msg':
        return this.received(
          manager,
          event,
          { id: account.id, inboxId: account.host_inbox_id },
          out,
        );
      case 'im_send_msg':
        return this.sent(manager, event, { id: account.id, inboxId: account.host_inbox_id });
      case 'im_mark_read_msg':
        return this.read(manager, event, account.id, out);
      default:
        return { outcome: 'ignored', note: `event ${event.event} is not handled` };
    }
  }

  private async received(
    manager: EntityManager,
    event: InboundEventRow,
    account: { id: string; inboxId: string },
    out: Publication[],
  ): Promise<HandlerVerdict> {
    const c = event.content;
    const messageId = str(c.message_id);
    const personId = str(block(c, 'from_user').id);
    if (!messageId || !personId)
      return { outcome: 'ignored', note: 'message without id or sender' };
    const sentAt = new Date(Number(c.timestamp) || Date.now());

    const conversation = await this.linkConversation(
      manager,
      event,
      account,
      personId,
      str(c.from),
    );
    const firstInConversation =
      conversation.previous === null || conversation.previous.last_inbound_at === null;
    await manager.query(
      `UPDATE tiktok_conversations SET last_inbound_at = GREATEST(COALESCE(last_inbound_at, $2), $2) WHERE id = $1`,
      [conversation.row.id, sentAt],
    );
    const { content, attachments } = toHostContent(c);
    const appended = await this.port.appendMessage({
      direction: 'incoming',
      inboxId: account.inboxId,
      conversationId: conversation.row.host_conversation_id,
      contactId: conversation.row.host_contact_id,
      tiktokMessageId: messageId,
      content,
      attachments,
      sentAt,
    });
    if (conversation.isNew) {
      out.push({
        name: TiktokEvents.ConversationOpened,
        payload: {
          inboxId: account.inboxId,
          conversationId: conversation.row.host_conversation_id,
          contactId: conversation.row.host_contact_id,
          tiktokConversationId: event.tiktok_conversation_id,
        } satisfies ConversationOpenedEvent,
      });
    }
    if (appended.created) {
      out.push({
        name: TiktokEvents.MessageReceived,
        payload: {
          inboxId: account.inboxId,
          conversationId: conversation.row.host_conversation_id,
          contactId: conversation.row.host_contact_id,
          messageId: appended.messageId,
          tiktokMessageId: messageId,
          content,
          firstInConversation,
        } satisfies MessageReceivedEvent,
      });
    }
    return { outcome: 'processed' };
  }

  /**
   * The `im_send_msg` echo. Our own sends are recognised by TikTok message id and dropped; a send of
   * ours still in flight holds the echo back briefly (the sender re-kicks processing when it stores
   * the id), so an echo that overtakes its send response never becomes a second message.
   */
  private async sent(
    manager: EntityManager,
    event: InboundEventRow,
    account: { id: string; inboxId: string },
  ): Promise<HandlerVerdict> {
    const c = event.content;
    const messageId = str(c.message_id);
    if (!messageId) return { outcome: 'ignored', note: 'echo without message id' };
    const [ours] = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM tiktok_outbound_messages WHERE tiktok_message_id = $1`,
      [messageId],
    );
    if (ours) return { outcome: 'processed', note: 'echo of our own send' };

    const [inFlight] = await queryRows<{ id: string }>(
      manager,
      `SELECT o.id FROM tiktok_outbound_messages o
         JOIN tiktok_conversations c ON c.id = o.conversation_id
        WHERE c.account_id = $1 AND c.tiktok_conversation_id = $2 AND o.status IN ('pending', 'sending')
          AND o.created_at > now() - make_interval(secs => $3)
        LIMIT 1`,
      [account.id, event.tiktok_conversation_id, PENDING_SEND_WINDOW_SECONDS],
    );
    if (inFlight) return { outcome: 'deferred', seconds: 2 };

    const personId = str(block(c, 'to_user').id);
    if (!personId) return { outcome: 'ignored', note: 'echo without recipient' };
    const conversation = await this.linkConversation(manager, event, account, personId, str(c.to));
    const { content, attachments } = toHostContent(c);
    await this.port.appendMessage({
      direction: 'outgoing',
      inboxId: account.inboxId,
      conversationId: conversation.row.host_conversation_id,
      tiktokMessageId: messageId,
      content,
      attachments,
      sentAt: new Date(Number(c.timestamp) || Date.now()),
    });
    return { outcome: 'processed', note: 'sent outside the helpdesk' };
  }

  private async read(
    manager: EntityManager,
    event: InboundEventRow,
    accountId: string,
    out: Publication[],
  ): Promise<HandlerVerdict> {
    const read = event.content.read as { last_read_timestamp?: unknown } | undefined;
    const readAt = new Date(
      Number(read?.last_read_timestamp) || Number(event.event_timestamp) || Date.now(),
    );
    const [conversation] = await queryRows<ConversationRow>(
      manager,
      `UPDATE tiktok_conversations SET last_read_at = GREATEST(COALESCE(last_read_at, $3), $3)
        WHERE account_id = $1 AND tiktok_conversation_id = $2
        RETURNING id, host_inbox_id, host_conversation_id`,
      [accountId, event.tiktok_conversation_id, readAt],
    );
    if (!conversation)
      return { outcome: 'ignored', note: 'read receipt for an unknown conversation' };
    const messages = await queryRows<{ host_message_id: string }>(
      manager,
      `UPDATE tiktok_outbound_messages SET status = 'read'
        WHERE conversation_id = $1 AND status = 'sent' AND sent_at <= $2
        RETURNING host_message_id`,
      [conversation.id, readAt],
    );
    for (const hostMessageId of new Set(messages.map((m) => m.host_message_id))) {
      await this.port.updateMessageStatus({ messageId: hostMessageId, status: 'read', at: readAt });
    }
    out.push({
      name: TiktokEvents.MessageRead,
      payload: {
        inboxId: conversation.host_inbox_id,
        conversationId: conversation.host_conversation_id,
        readAt,
      } satisfies MessageReadEvent,
    });
    return { outcome: 'processed' };
  }

  /** Contact + conversation in the host, and the library's link row; every step is idempotent. */
  private async linkConversation(
    manager: EntityManager,
    event: InboundEventRow,
    account: { id: string; inboxId: string },
    personId: string,
    username: string | undefined,
  ): Promise<{ row: ConversationRow; previous: ConversationRow | null; isNew: boolean }> {
    const [previous] = await queryRows<ConversationRow>(
      manager,
      `SELECT id, host_inbox_id, host_contact_id, host_conversation_id, last_inbound_at
         FROM tiktok_conversations WHERE account_id = $1 AND tiktok_conversation_id = $2`,
      [account.id, event.tiktok_conversation_id],
    );
    const { contactId } = await this.port.upsertContact({
      inboxId: account.inboxId,
      tiktokUserId: personId,
      username,
      displayName: username,
    });
    const { conversationId, isNew } = await this.port.openConversation({
      inboxId: account.inboxId,
      contactId,
      tiktokConversationId: event.tiktok_conversation_id,
    });
    const [row] = await queryRows<ConversationRow>(
      manager,
      `INSERT INTO tiktok_conversations
         (account_id, tiktok_conversation_id, tiktok_user_id, host_inbox_id, host_contact_id, host_conversation_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id, tiktok_conversation_id) DO UPDATE
         SET host_inbox_id = EXCLUDED.host_inbox_id, host_contact_id = EXCLUDED.host_contact_id,
             host_conversation_id = EXCLUDED.host_conversation_id
       RETURNING id, host_inbox_id, host_contact_id, host_conversation_id, last_inbound_at`,
      [
        account.id,
        event.tiktok_conversation_id,
        personId,
        account.inboxId,
        contactId,
        conversationId,
      ],
    );
    return { row, previous: previous ?? null, isNew };
  }
}
