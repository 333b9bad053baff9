import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  TIKTOK_HELPDESK_PORT,
  type MessageReaction,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEvents, type MessageReactionEvent } from '../host/tiktok-events';
import { normaliseTimestamp } from '../webhook/field-normalise';
import { str } from './content-fields';
import { ConversationLink } from './conversation-link';
import type { HandlerVerdict, InboundAccount, InboundEventRow, Publication } from './inbound-event';
import type { TiktokMessageView } from './tiktok-message';

/**
 * A reaction is an update to the message it targets, never a message of its own: it does not
 * reopen the 48-hour window and does not fire `message.received`.
 */
@Injectable()
export class InboundReactions {
  constructor(
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly conversations: ConversationLink,
  ) {}

  async apply(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
    view: TiktokMessageView,
    out: Publication[],
  ): Promise<HandlerVerdict> {
    const tiktokConversationId = event.tiktok_conversation_id as string;
    const conversation = await this.conversations.find(manager, account.id, tiktokConversationId);
    if (!conversation)
      return { outcome: 'ignored', note: 'reaction on a conversation the host does not have' };
    const entries = readReactions(event.content.reaction);
    if (entries.length === 0) return { outcome: 'ignored', note: 'reaction without entries' };
    const eventMs = Number(event.event_timestamp) || Date.now();
    for (const entry of entries) {
      const target = str(entry.original_msg_id) ?? view.replyTo;
      if (!target) continue;
      const reaction: MessageReaction = {
        inboxId: account.inboxId,
        conversationId: conversation.host_conversation_id,
        tiktokMessageId: target,
        by: view.fromBusiness ? 'business' : 'customer',
        operation: str(entry.operation)?.toUpperCase() === 'REMOVE' ? 'remove' : 'add',
        emoji: str(entry.emoji) ?? str(entry.type) ?? '?',
        at: new Date(normaliseTimestamp(entry.timestamp, eventMs, Date.now()).ms),
      };
      const { applied } = this.port.applyReaction
        ? await this.port.applyReaction(reaction)
        : { applied: false };
      out.push({
        name: TiktokEvents.MessageReaction,
        payload: { ...reaction, applied } satisfies MessageReactionEvent,
      });
    }
    return { outcome: 'processed', note: 'reaction' };
  }
}

function readReactions(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (entry): entry is Record<string, unknown> =>
      typeof entry === 'object' && entry !== null && !Array.isArray(entry),
  );
}
