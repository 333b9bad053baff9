import { Inject, Injectable } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import type { TiktokSenderAction } from '../api/tiktok-api.types';
import {
  TIKTOK_HELPDESK_PORT,
  type OutboundPartStatus,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { TiktokEvents, type MessageFailedEvent } from '../host/tiktok-events';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { readAttachment } from './attachment-reader';
import { ImageCapability } from './image-capability';
import { prepareImage } from './image-preparation';
import { checkConversationRules, checkSendRules, REPLY_WINDOW_MS } from './messaging-rules';
import { OutboundRefusal } from './outbound-refusal';
import { outcomeOf, OutboundReporter } from './outbound-reporter';
import {
  OutboundStore,
  type OutboundConversation,
  type PreparedMedia,
  type SentCounts,
} from './outbound-store';
import { OutboundWorker } from './outbound-worker.service';
import { OutcomeHub } from './outcome-hub';
import { TiktokRateLimiter } from './rate-limiter';
import { failureOf } from './send-failure';
import type {
  RetryInput,
  SendInput,
  SendOutcome,
  SenderActionInput,
  SenderActionOutcome,
  TiktokSendingState,
} from './send-input';
import { planSend, type PlannedPart } from './send-plan';
import { SendRecorder } from './send-recorder';

export type {
  RetryInput,
  SendInput,
  SendOutcome,
  SenderActionInput,
  SenderActionOutcome,
  TiktokAttachment,
  TiktokSendingState,
} from './send-input';

export class TiktokConversationNotFoundError extends Error {
  override readonly name = 'TiktokConversationNotFoundError';

  constructor(readonly conversationId: string) {
    super(`Conversation ${conversationId} is not a TikTok conversation known to the channel`);
  }
}

export class TiktokOutboundMessageNotFoundError extends Error {
  override readonly name = 'TiktokOutboundMessageNotFoundError';

  constructor(readonly messageId: string) {
    super(`Message ${messageId} was never handed to the TikTok messenger`);
  }
}

/** How often a waiting `send` looks at a message another process is sending. */
const REMOTE_POLL_MS = 500;

/**
 * The host's way to answer on TikTok.
 *
 * A send that breaks a rule (first contact, the 48-hour window, the caps, an attachment TikTok
 * cannot carry, a customer who cannot receive images) is refused at once with a typed reason and
 * a sentence, and TikTok is not called. Anything else is planned into TikTok messages (text and
 * each attachment separately, long text split, images made JPG/PNG of at most 3 MB), every part
 * is recorded before anything is sent, and the worker delivers them in order, under the
 * per-business rate limit, never repeating a part whose outcome is unknown before reconciling it.
 * `send` waits up to `sendWaitMs` for the outcome, then answers `pending`; the outcome always
 * reaches the port and the events.
 */
@Injectable()
export class TiktokMessenger {
  constructor(
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly tokens: TiktokTokenService,
    private readonly events: TiktokEventPublisher,
    private readonly store: OutboundStore,
    private readonly worker: OutboundWorker,
    private readonly reporter: OutboundReporter,
    private readonly hub: OutcomeHub,
    private readonly limiter: TiktokRateLimiter,
    private readonly capability: ImageCapability,
    private readonly recorder: SendRecorder,
  ) {}

  async send(input: SendInput): Promise<SendOutcome> {
    const conversation = await this.conversation(input.conversationId);
    const text = input.text ?? input.content ?? '';
    const attachments = input.attachments ?? [];
    let recorded: PlannedPart[];
    try {
      const early = checkSendRules({
        accountStatus: conversation.account_status,
        lastInboundAt: conversation.last_inbound_at,
        content: text,
        hasAttachments: attachments.length > 0,
        now: new Date(),
        partCount: 0,
        caps: this.caps(),
      });
      if (early) {
        // A message sent before is answered from its parts, whatever the rules say now.
        if (await this.store.requestStatus(this.store.executor, input.messageId)) {
          return this.resume(input.messageId, conversation);
        }
        throw new OutboundRefusal(early.reason, early.detail);
      }
      const plan = planSend({
        text,
        attachments,
        replyTo: input.replyTo,
        businessUsername: conversation.username,
      });
      if (plan.some((part) => part.kind === 'image')) {
        if (await this.store.requestStatus(this.store.executor, input.messageId)) {
          return this.resume(input.messageId, conversation);
        }
        // Images are read and converted before anything is recorded: not for a send over a cap.
        this.checkCounts(
          conversation,
          await this.store.sentCounts(
            this.store.executor,
            conversation.id,
            conversation.last_inbound_at,
          ),
          plan.length,
        );
      }
      const prepared = await this.prepare(plan, conversation);
      // Nobody waits when sendWaitMs is 0: the request is recorded as told `pending` (below).
      const result = await this.recorder.record({
        conversationId: conversation.id,
        hostMessageId: input.messageId,
        parts: prepared,
        pendingReported: this.config.sendWaitMs === 0,
      });
      if (result.kind === 'conversation_not_found') {
        throw new TiktokConversationNotFoundError(input.conversationId);
      }
      if (result.kind === 'refused') throw result.refusal;
      if (result.kind === 'exists') return this.resume(input.messageId, conversation);
      recorded = prepared;
    } catch (error) {
      if (error instanceof OutboundRefusal)
        return this.refuse(input.messageId, conversation, error);
      throw error;
    }
    if (this.config.sendWaitMs === 0) {
      // Nobody waits: the host hears `pending` now (before the worker can finish, so in that order)
      // and the rest through the port and the events.
      const parts: OutboundPartStatus[] = recorded.map((part, index) => ({
        index,
        kind: part.kind,
        ...(part.attachmentIndex !== null ? { attachmentIndex: part.attachmentIndex } : {}),
        status: 'pending',
      }));
      try {
        await this.reporter.announcePending(input.messageId, conversation, parts);
      } finally {
        this.worker.kick(conversation.id);
      }
      return { status: 'pending', parts };
    }
    this.worker.kick(conversation.id);
    return this.outcome(input.messageId, conversation);
  }

  /**
   * Sends the failed parts of a message again, in order (a part reported `delivery_unconfirmed`
   * too: the agent decided). The rules are checked again first.
   */
  async retry(input: RetryInput): Promise<SendOutcome> {
    const request = await this.store.requestStatus(this.store.executor, input.messageId);
    if (!request) throw new TiktokOutboundMessageNotFoundError(input.messageId);
    const conversation = await this.store.conversationById(request.conversation_id);
    if (!conversation) throw new TiktokOutboundMessageNotFoundError(input.messageId);
    return this.resume(input.messageId, conversation);
  }

  /** What became of a message handed to `send`, or null when it never was. */
  async getStatus(messageId: string): Promise<SendOutcome | null> {
    const parts = await this.store.parts(messageId);
    return parts.length > 0 ? outcomeOf(parts) : null;
  }

  /** Whether an agent can write in the conversation now, and if not, why (for a composer). */
  async getSendingState(conversationId: string): Promise<TiktokSendingState> {
    const conversation = await this.conversation(conversationId);
    const counts = await this.store.sentCounts(
      this.store.executor,
      conversation.id,
      conversation.last_inbound_at,
    );
    const now = new Date();
    const caps = this.caps();
    const windowEnd = conversation.last_inbound_at
      ? new Date(conversation.last_inbound_at.getTime() + REPLY_WINDOW_MS)
      : null;
    const remaining = Math.max(
      0,
      Math.min(
        caps.beforeCustomerReply - counts.sinceCustomer,
        windowEnd && now > windowEnd ? caps.afterReplyWindow - counts.afterWindow : Infinity,
      ),
    );
    const violation =
      conversation.account_status !== 'active'
        ? checkSendRules({
            accountStatus: conversation.account_status,
            lastInboundAt: conversation.last_inbound_at,
            content: 'x',
            now,
          })
        : checkConversationRules({
            lastInboundAt: conversation.last_inbound_at,
            now,
            partCount: 1,
            sentSinceCustomer: counts.sinceCustomer,
            sentAfterWindow: counts.afterWindow,
            caps,
          });
    return {
      canSend: violation === null,
      ...(violation ? { reason: violation.reason, detail: violation.detail } : {}),
      replyWindowEndsAt: windowEnd,
      remainingMessages: conversation.last_inbound_at ? remaining : 0,
      imageSend: this.capability.cached(conversation),
    };
  }

  /** Shows the customer that an agent is typing (TikTok shows it about 5 s; call it again while typing). */
  sendTyping(input: SenderActionInput): Promise<SenderActionOutcome> {
    return this.senderAction(input, 'TYPING');
  }

  /** Marks the customer's messages read, when an agent opens the conversation. */
  markRead(input: SenderActionInput): Promise<SenderActionOutcome> {
    return this.senderAction(input, 'MARK_READ');
  }

  private async senderAction(
    input: SenderActionInput,
    action: TiktokSenderAction,
  ): Promise<SenderActionOutcome> {
    const conversation = await this.conversation(input.conversationId);
    const violation =
      conversation.account_status !== 'active'
        ? {
            reason: 'reauthorization_required' as const,
            detail: 'The TikTok account must be reconnected.',
          }
        : checkConversationRules({
            lastInboundAt: conversation.last_inbound_at,
            now: new Date(),
            partCount: 0,
          });
    if (violation) return { status: 'failed', ...violation };
    try {
      await this.tokens.withAccessToken(conversation.account_id, async (token) => {
        await this.limiter.acquire(conversation.business_id);
        await this.client.sendSenderAction(token, {
          businessId: conversation.business_id,
          conversationId: conversation.tiktok_conversation_id,
          action,
        });
      });
      return { status: 'sent' };
    } catch (error) {
      return { status: 'failed', ...failureOf(error) };
    }
  }

  /** Re-arms failed parts (rules permitting) and waits for the outcome like a send. */
  private async resume(
    messageId: string,
    conversation: OutboundConversation,
  ): Promise<SendOutcome> {
    try {
      await this.store.transaction(async (manager) => {
        const locked = await this.store.lockConversation(manager, conversation.id);
        if (!locked) return;
        const failed = await this.store.failedPartCount(manager, messageId);
        if (failed === 0) return;
        const early = checkSendRules({
          accountStatus: locked.account_status,
          lastInboundAt: locked.last_inbound_at,
          content: 'x',
          now: new Date(),
          partCount: 0,
        });
        if (early) throw new OutboundRefusal(early.reason, early.detail);
        this.checkCounts(
          locked,
          await this.store.sentCounts(manager, locked.id, locked.last_inbound_at),
          failed,
        );
        await this.store.rearmFailed(manager, messageId);
      });
    } catch (error) {
      if (error instanceof OutboundRefusal) return this.refuse(messageId, conversation, error);
      throw error;
    }
    this.worker.kick(conversation.id);
    return this.outcome(messageId, conversation);
  }

  /**
   * Waits up to `sendWaitMs` for the message to be final and reported to the host; past that the
   * host is told `pending` and hears the rest through the port and the events.
   */
  private async outcome(
    messageId: string,
    conversation: OutboundConversation,
  ): Promise<SendOutcome> {
    const deadline = Date.now() + this.config.sendWaitMs;
    for (;;) {
      const request = await this.store.requestReport(messageId);
      if (request && request.status !== 'pending' && request.reported_status === request.status) {
        return outcomeOf(await this.store.parts(messageId));
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (!this.worker.isDriving(conversation.id)) this.worker.kick(conversation.id);
      await this.hub.wait(
        messageId,
        this.worker.isDriving(conversation.id) ? left : Math.min(left, REMOTE_POLL_MS),
      );
    }
    const outcome = outcomeOf(await this.store.parts(messageId));
    if (outcome.status === 'pending') {
      await this.reporter.reportPending(messageId, conversation, outcome.parts);
      // It may have finished while the host was being told.
      return outcomeOf(await this.store.parts(messageId));
    }
    return outcome;
  }

  /** Reads and converts the images; nothing is recorded before every part is ready. */
  private async prepare(
    plan: PlannedPart[],
    conversation: OutboundConversation,
  ): Promise<Array<PlannedPart & { media?: PreparedMedia }>> {
    if (plan.some((part) => part.kind === 'image')) {
      if ((await this.capability.imageSend(conversation)) === false) {
        throw new OutboundRefusal(
          'image_not_supported',
          'TikTok says this customer cannot receive images (image messages are not available in every region). Send the text alone, or a link.',
        );
      }
    }
    const prepared: Array<PlannedPart & { media?: PreparedMedia }> = [];
    for (const part of plan) {
      if (!part.image) {
        prepared.push(part);
        continue;
      }
      const bytes = await readAttachment(
        part.image,
        this.config.maxAttachmentBytes,
        this.config.requestTimeoutMs,
      );
      const image = await prepareImage(bytes, part.image.fileName || 'image');
      prepared.push({
        ...part,
        image: undefined,
        media: { bytes: image.bytes, contentType: image.contentType, fileName: image.fileName },
      });
    }
    return prepared;
  }

  private checkCounts(conversation: OutboundConversation, counts: SentCounts, parts: number): void {
    this.recorder.checkCounts(conversation, counts, parts);
  }

  /** Refused before anything was recorded: the host hears it like any failure. */
  private async refuse(
    messageId: string,
    conversation: OutboundConversation,
    refusal: OutboundRefusal,
  ): Promise<SendOutcome> {
    await this.port.updateMessageStatus({
      messageId,
      status: 'failed',
      reason: refusal.reason,
      detail: refusal.detail,
      at: new Date(),
    });
    this.events.publish<MessageFailedEvent>(TiktokEvents.MessageFailed, {
      inboxId: conversation.host_inbox_id,
      conversationId: conversation.host_conversation_id,
      messageId,
      reason: refusal.reason,
      detail: refusal.detail,
    });
    return { status: 'failed', reason: refusal.reason, detail: refusal.detail, refused: true };
  }

  private async conversation(hostConversationId: string): Promise<OutboundConversation> {
    const conversation = await this.store.conversationByHostId(hostConversationId);
    if (!conversation) throw new TiktokConversationNotFoundError(hostConversationId);
    return conversation;
  }

  private caps() {
    return {
      beforeCustomerReply: this.config.maxMessagesBeforeCustomerReply,
      afterReplyWindow: this.config.maxMessagesAfterReplyWindow,
    };
  }
}
