import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  TIKTOK_HELPDESK_PORT,
  type FailureReason,
  type OutboundPartStatus,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import {
  TiktokEvents,
  type MessageFailedEvent,
  type MessagePendingEvent,
  type MessageSentEvent,
} from '../host/tiktok-events';
import {
  OutboundStore,
  partStatusView,
  type OutboundConversation,
  type PartRow,
} from './outbound-store';
import { OutcomeHub } from './outcome-hub';
import type { SendOutcome } from './send-input';

/** The status of a host message, from its parts. */
export function outcomeOf(parts: PartRow[]): SendOutcome {
  const views = parts.map(partStatusView);
  const failed =
    parts.find(
      (part) => part.status === 'failed' && part.failure_reason !== 'earlier_part_failed',
    ) ?? parts.find((part) => part.status === 'failed');
  const unfinished = parts.some((part) => part.status === 'pending' || part.status === 'sending');
  if (unfinished) return { status: 'pending', parts: views };
  if (failed) {
    return {
      status: 'failed',
      reason: (failed.failure_reason ?? 'unknown') as FailureReason,
      detail: failed.failure_detail ?? 'The message could not be sent.',
      parts: views,
    };
  }
  return {
    status: 'sent',
    tiktokMessageIds: parts.map((part) => part.tiktok_message_id as string),
    parts: views,
  };
}

/**
 * Tells the host what became of its messages: through the port first (so its own rows are right
 * when automation hears about it), then the event. A final status is reported once by whoever
 * finished the last part; the sweep reports any that a crash swallowed (at least once: the port
 * must be idempotent, as it already is for TikTok's redeliveries).
 */
@Injectable()
export class OutboundReporter {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly events: TiktokEventPublisher,
    private readonly store: OutboundStore,
    private readonly hub: OutcomeHub,
  ) {}

  /** Recomputes the message's status from its parts and reports it when it became final. */
  async settle(hostMessageId: string, conversation: OutboundConversation): Promise<SendOutcome> {
    const { parts, changed } = await this.store.settleStatus(hostMessageId);
    const outcome = outcomeOf(parts);
    if (changed && outcome.status !== 'pending') {
      try {
        await this.report(hostMessageId, conversation, outcome);
      } catch (error) {
        // Left unreported: the sweep tries again.
        this.logger.warn(
          `Telling the host about message ${hostMessageId} failed: ${(error as Error).message}`,
        );
      }
    }
    this.hub.notify(hostMessageId);
    return outcome;
  }

  /** Tells the host `pending` once per send or retry, unless it already heard the outcome. */
  async reportPending(
    hostMessageId: string,
    conversation: OutboundConversation,
    parts: OutboundPartStatus[],
  ): Promise<void> {
    if (!(await this.store.claimPendingReport(hostMessageId))) return;
    await this.announcePending(hostMessageId, conversation, parts);
  }

  /** Tells the host `pending`; the caller made sure it is the one to say it. */
  async announcePending(
    hostMessageId: string,
    conversation: OutboundConversation,
    parts: OutboundPartStatus[],
  ): Promise<void> {
    await this.port.updateMessageStatus({
      messageId: hostMessageId,
      status: 'pending',
      parts,
      at: new Date(),
    });
    this.events.publish<MessagePendingEvent>(TiktokEvents.MessagePending, {
      inboxId: conversation.host_inbox_id,
      conversationId: conversation.host_conversation_id,
      messageId: hostMessageId,
      parts,
    });
  }

  /** For the sweep: final statuses a crash kept from the host. */
  async reportUnreported(
    conversationOf: (id: string) => Promise<OutboundConversation | null>,
  ): Promise<number> {
    let reported = 0;
    for (const hostMessageId of await this.store.unreported(60_000, 100)) {
      const parts = await this.store.parts(hostMessageId);
      const outcome = outcomeOf(parts);
      const conversation = parts[0] && (await conversationOf(parts[0].conversation_id));
      if (!conversation || outcome.status === 'pending') continue;
      try {
        await this.report(hostMessageId, conversation, outcome);
        reported++;
      } catch (error) {
        this.logger.warn(`Reporting message ${hostMessageId} failed: ${(error as Error).message}`);
      }
    }
    return reported;
  }

  private async report(
    hostMessageId: string,
    conversation: OutboundConversation,
    outcome: SendOutcome,
  ): Promise<void> {
    const at = new Date();
    if (outcome.status === 'sent') {
      await this.port.updateMessageStatus({
        messageId: hostMessageId,
        status: 'sent',
        tiktokMessageId: outcome.tiktokMessageIds[0],
        tiktokMessageIds: outcome.tiktokMessageIds,
        parts: outcome.parts,
        at,
      });
      await this.store.markReported(hostMessageId, 'sent');
      this.events.publish<MessageSentEvent>(TiktokEvents.MessageSent, {
        inboxId: conversation.host_inbox_id,
        conversationId: conversation.host_conversation_id,
        messageId: hostMessageId,
        tiktokMessageIds: outcome.tiktokMessageIds,
        parts: outcome.parts,
      });
    } else if (outcome.status === 'failed') {
      const sentIds = (outcome.parts ?? [])
        .map((part) => part.tiktokMessageId)
        .filter((id): id is string => id !== undefined);
      await this.port.updateMessageStatus({
        messageId: hostMessageId,
        status: 'failed',
        reason: outcome.reason,
        detail: outcome.detail,
        ...(sentIds.length > 0 ? { tiktokMessageId: sentIds[0], tiktokMessageIds: sentIds } : {}),
        parts: outcome.parts,
        at,
      });
      await this.store.markReported(hostMessageId, 'failed');
      this.events.publish<MessageFailedEvent>(TiktokEvents.MessageFailed, {
        inboxId: conversation.host_inbox_id,
        conversationId: conversation.host_conversation_id,
        messageId: hostMessageId,
        reason: outcome.reason,
        detail: outcome.detail,
        parts: outcome.parts,
      });
    }
  }
}
