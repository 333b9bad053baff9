import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import {
  TIKTOK_HELPDESK_PORT,
  type FailureReason,
  type TiktokAccountStatus,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import {
  TiktokEvents,
  type MessageFailedEvent,
  type MessageSentEvent,
} from '../host/tiktok-events';
import { InboundProcessor } from '../inbound/inbound-processor.service';
import { queryRows } from '../persistence/sql';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { checkSendRules, splitText } from './messaging-rules';
import { failureOf } from './send-failure';

export interface SendInput {
  /** The host's conversation id (as returned by `openConversation`). */
  conversationId: string;
  /** The host's message id; sending the same id again never sends twice. */
  messageId: string;
  content: string;
}

export type SendOutcome =
  | { status: 'sent'; tiktokMessageIds: string[] }
  | { status: 'failed'; reason: FailureReason; detail: string };

export class TiktokConversationNotFoundError extends Error {
  override readonly name = 'TiktokConversationNotFoundError';

  constructor(readonly conversationId: string) {
    super(`Conversation ${conversationId} is not a TikTok conversation known to the channel`);
  }
}

interface ConversationRow {
  id: string;
  account_id: string;
  business_id: string;
  account_status: TiktokAccountStatus;
  tiktok_conversation_id: string;
  host_inbox_id: string;
  last_inbound_at: Date | null;
}

interface OutboundRow {
  id: string;
  body: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'read';
  tiktok_message_id: string | null;
}

/** Backoff for throttling and TikTok hiccups before a send is reported as failed. */
const RETRY_DELAYS_MS = [250, 1000];

/**
 * The host's way to answer on TikTok. Rules are checked first; each TikTok-sized part is recorded
 * before it is sent, so a retry of the same host message resumes instead of sending twice, and the
 * `im_send_msg` echo can be matched to it.
 */
@Injectable()
export class TiktokMessenger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly tokens: TiktokTokenService,
    private readonly inbound: InboundProcessor,
    private readonly events: TiktokEventPublisher,
  ) {}

  async send(input: SendInput): Promise<SendOutcome> {
    const [conversation] = await queryRows<ConversationRow>(
      this.dataSource,
      `SELECT c.id, c.account_id, a.business_id, a.status AS account_status, c.tiktok_conversation_id,
              c.host_inbox_id, c.last_inbound_at
         FROM tiktok_conversations c JOIN tiktok_accounts a ON a.id = c.account_id
        WHERE c.host_conversation_id = $1`,
      [input.conversationId],
    );
    if (!conversation) throw new TiktokConversationNotFoundError(input.conversationId);

    const violation = checkSendRules({
      accountStatus: conversation.account_status,
      lastInboundAt: conversation.last_inbound_at,
      content: input.content,
      now: new Date(),
    });
    if (violation)
      return this.reportFailure(input, conversation, violation.reason, violation.detail);

    const parts = await this.recordParts(input, conversation);
    const ids: string[] = [];
    try {
      for (const part of parts) ids.push(await this.sendPart(part, conversation));
    } catch (error) {
      const failure = failureOf(error);
      return this.reportFailure(input, conversation, failure.reason, failure.detail);
    } finally {
      // Echoes held back while this send was in flight can be matched now.
      await this.inbound.wakeConversation(
        conversation.business_id,
        conversation.tiktok_conversation_id,
      );
    }

    await this.port.updateMessageStatus({
      messageId: input.messageId,
      status: 'sent',
      tiktokMessageId: ids[0],
      at: new Date(),
    });
    this.events.publish<MessageSentEvent>(TiktokEvents.MessageSent, {
      inboxId: conversation.host_inbox_id,
      conversationId: input.conversationId,
      messageId: input.messageId,
      tiktokMessageIds: ids,
    });
    return { status: 'sent', tiktokMessageIds: ids };
  }

  /** One outbound row per part; a repeated call finds the rows it made before and re-arms failed ones. */
  private async recordParts(
    input: SendInput,
    conversation: ConversationRow,
  ): Promise<OutboundRow[]> {
    const parts = splitText(input.content);
    for (const [index, body] of parts.entries()) {
      await this.dataSource.query(
        `INSERT INTO tiktok_outbound_messages
           (account_id, conversation_id, host_message_id, part_index, message_type, body, status)
         VALUES ($1, $2, $3, $4, 'TEXT', $5, 'pending')
         ON CONFLICT (host_message_id, part_index) DO UPDATE
           SET status = 'pending', failure_reason = NULL
           WHERE tiktok_outbound_messages.status = 'failed'`,
        [conversation.account_id, conversation.id, input.messageId, index, body],
      );
    }
    return queryRows<OutboundRow>(
      this.dataSource,
      `SELECT id, body, status, tiktok_message_id FROM tiktok_outbound_messages
        WHERE host_message_id = $1 ORDER BY part_index`,
      [input.messageId],
    );
  }

  private async sendPart(part: OutboundRow, conversation: ConversationRow): Promise<string> {
    if (part.tiktok_message_id) return part.tiktok_message_id;
    const claimed = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE tiktok_outbound_messages SET status = 'sending', attempts = attempts + 1
        WHERE id = $1 AND status = 'pending' RETURNING id`,
      [part.id],
    );
    if (claimed.length === 0)
      throw new Error('This message is already being sent by another request.');
    try {
      const { messageId } = await this.withRetries(() =>
        this.tokens.withAccessToken(conversation.account_id, (accessToken) =>
          this.client.sendText(accessToken, {
            businessId: conversation.business_id,
            conversationId: conversation.tiktok_conversation_id,
            text: part.body,
          }),
        ),
      );
      await this.dataSource.query(
        `UPDATE tiktok_outbound_messages SET status = 'sent', tiktok_message_id = $2, sent_at = now() WHERE id = $1`,
        [part.id, messageId],
      );
      return messageId;
    } catch (error) {
      await this.dataSource.query(
        `UPDATE tiktok_outbound_messages SET status = 'failed', failure_reason = $2 WHERE id = $1`,
        [part.id, failureOf(error).reason],
      );
      throw error;
    }
  }

  private async withRetries<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (!(error instanceof TiktokApiError) || !error.retryable || delay === undefined)
          throw error;
        await sleep(delay);
      }
    }
  }

  private async reportFailure(
    input: SendInput,
    conversation: ConversationRow,
    reason: FailureReason,
    detail: string,
  ): Promise<SendOutcome> {
    await this.port.updateMessageStatus({
      messageId: input.messageId,
      status: 'failed',
      reason,
      at: new Date(),
    });
    this.events.publish<MessageFailedEvent>(TiktokEvents.MessageFailed, {
      inboxId: conversation.host_inbox_id,
      conversationId: input.conversationId,
      messageId: input.messageId,
      reason,
      detail,
    });
    return { status: 'failed', reason, detail };
  }
}
