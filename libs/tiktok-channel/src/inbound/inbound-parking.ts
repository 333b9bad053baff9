import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { TiktokEvents, type InboundEventParkedEvent } from '../host/tiktok-events';
import { queryRows } from '../persistence/sql';
import type { InboundEventRow, Publication } from './inbound-event';

/**
 * An event that failed every attempt is set aside (`failed`), and the later events of its
 * conversation go on. The host is told twice: a note in the conversation, where an agent sees
 * it, and an automation event.
 */
@Injectable()
export class InboundParking {
  private readonly logger = new Logger('TiktokChannel');

  constructor(@Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort) {}

  async parked(
    manager: EntityManager,
    event: InboundEventRow,
    error: string,
    out: Publication[],
  ): Promise<void> {
    const [conversation] = await queryRows<{ host_inbox_id: string; host_conversation_id: string }>(
      manager,
      `SELECT c.host_inbox_id, c.host_conversation_id FROM tiktok_conversations c
         JOIN tiktok_accounts a ON a.id = c.account_id
        WHERE a.business_id = $1 AND c.tiktok_conversation_id = $2`,
      [event.business_id, event.tiktok_conversation_id],
    );
    const messageId =
      typeof event.content?.message_id === 'string' ? event.content.message_id : null;
    const at = new Date(Number(event.event_timestamp) || Date.now());
    if (conversation && this.port.appendNote) {
      try {
        await this.port.appendNote({
          inboxId: conversation.host_inbox_id,
          conversationId: conversation.host_conversation_id,
          key: `event_parked:${event.id}`,
          kind: 'event_parked',
          text: `A TikTok ${event.event} event could not be processed and was set aside; later messages went on. Last error: ${error.slice(0, 300)}`,
          data: { eventId: event.id, event: event.event, tiktokMessageId: messageId },
          at,
        });
      } catch (noteError) {
        // The event is parked either way; the automation event below still reports it.
        this.logger.error(
          `Could not tell the host that event ${event.id} was parked: ${(noteError as Error).message}`,
        );
      }
    }
    out.push({
      name: TiktokEvents.InboundEventParked,
      payload: {
        eventId: event.id,
        event: event.event,
        businessId: event.business_id,
        tiktokConversationId: event.tiktok_conversation_id,
        tiktokMessageId: messageId,
        inboxId: conversation?.host_inbox_id ?? null,
        conversationId: conversation?.host_conversation_id ?? null,
        error: error.slice(0, 2000),
      } satisfies InboundEventParkedEvent,
    });
  }
}
