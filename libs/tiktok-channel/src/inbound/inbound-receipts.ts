import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { TiktokEvents, type MessageReadEvent } from '../host/tiktok-events';
import { queryRows } from '../persistence/sql';
import { block, str } from './content-fields';
import {
  eventTime,
  type HandlerVerdict,
  type InboundAccount,
  type InboundEventRow,
  type Publication,
} from './inbound-event';

/**
 * `im_mark_read_msg`. Only the customer reading marks our replies read, and only those sent up to
 * the time the receipt carries; the business reading (in the TikTok app) changes nothing.
 */
@Injectable()
export class InboundReceipts {
  constructor(@Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort) {}

  async read(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
    out: Publication[],
  ): Promise<HandlerVerdict> {
    const reader =
      str(block(event.content, 'from_user').id) ?? str(event.content.unique_identifier);
    if (reader === account.businessId)
      return { outcome: 'ignored', note: "the business's own read receipt" };
    // Normalised at intake from `read.last_read_timestamp` (ms, s, or the receive time).
    const readAt = eventTime(event);
    const [conversation] = await queryRows<{
      id: string;
      host_inbox_id: string;
      host_conversation_id: string;
    }>(
      manager,
      `UPDATE tiktok_conversations SET last_read_at = GREATEST(COALESCE(last_read_at, $3), $3)
        WHERE account_id = $1 AND tiktok_conversation_id = $2
        RETURNING id, host_inbox_id, host_conversation_id`,
      [account.id, event.tiktok_conversation_id, readAt],
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
}
