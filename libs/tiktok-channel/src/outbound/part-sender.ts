import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import type { FailureReason } from '../host/helpdesk-port';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { TiktokReauthorizationRequiredError } from '../tokens/token.errors';
import { OutboundRefusal } from './outbound-refusal';
import { OutboundStore, type OutboundConversation, type PartRow } from './outbound-store';
import { TiktokRateLimiter } from './rate-limiter';
import { failureOf } from './send-failure';

/** What one attempt at a part came to. */
export type AttemptResult =
  | { kind: 'sent'; tiktokMessageId: string }
  /** The request may have been carried out: look for it before anything else. */
  | { kind: 'unknown'; error: TiktokApiError }
  /** Certainly not carried out, and worth trying again later (throttling, an outage). */
  | { kind: 'retry'; error: TiktokApiError }
  /** Refused for good. */
  | { kind: 'failed'; reason: FailureReason; detail: string; error?: unknown };

/** TikTok keeps an uploaded image 30 days; one day of margin before uploading it again. */
const MEDIA_REUSE_MS = 29 * 24 * 60 * 60 * 1000;

/**
 * One attempt at one part: upload the image first when it needs one, then the send. Every TikTok
 * request waits for the business's rate slot and goes through the token service (refresh once on
 * an expired or refused token). The part is marked `sending` right before the send leaves.
 */
@Injectable()
export class PartSender {
  constructor(
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly tokens: TiktokTokenService,
    private readonly limiter: TiktokRateLimiter,
    private readonly store: OutboundStore,
  ) {}

  async attempt(part: PartRow, conversation: OutboundConversation): Promise<AttemptResult> {
    let mediaId: string | null = null;
    try {
      if (part.message_type === 'IMAGE') mediaId = await this.uploaded(part, conversation);
    } catch (error) {
      // An upload whose answer was lost leaves at most an unused media id: try again.
      if (error instanceof TiktokApiError && (error.retryable || error.outcomeUnknown)) {
        return { kind: 'retry', error };
      }
      return this.refused(error);
    }
    try {
      const { messageId } = await this.tokens.withAccessToken(
        conversation.account_id,
        async (token) => {
          const waitMs = await this.store.reserveAndMarkSending(
            part.id,
            conversation.business_id,
            this.limiter.intervalSeconds(),
            this.config.requestTimeoutMs + this.config.reconcileDelayMs,
          );
          if (waitMs > 0) await sleep(waitMs);
          return this.send(token, part, conversation, mediaId);
        },
      );
      return { kind: 'sent', tiktokMessageId: messageId };
    } catch (error) {
      if (error instanceof TiktokApiError && error.outcomeUnknown)
        return { kind: 'unknown', error };
      if (error instanceof TiktokApiError && error.retryable) return { kind: 'retry', error };
      return this.refused(error);
    }
  }

  private send(
    token: string,
    part: PartRow,
    conversation: OutboundConversation,
    mediaId: string | null,
  ): Promise<{ messageId: string }> {
    const to = {
      businessId: conversation.business_id,
      conversationId: conversation.tiktok_conversation_id,
    };
    switch (part.message_type) {
      case 'IMAGE':
        return this.client.sendImage(token, { ...to, mediaId: mediaId as string });
      case 'SHARE_POST':
        return this.client.sendSharePost(token, { ...to, itemId: part.share_item_id as string });
      default:
        return this.client.sendText(token, {
          ...to,
          text: part.body,
          ...(part.referenced_message_id
            ? { referencedMessageId: part.referenced_message_id }
            : {}),
        });
    }
  }

  /** The part's media id: the one uploaded before while TikTok still has it, else a new upload. */
  private async uploaded(part: PartRow, conversation: OutboundConversation): Promise<string> {
    if (
      part.media_id &&
      part.media_uploaded_at &&
      Date.now() - part.media_uploaded_at.getTime() < MEDIA_REUSE_MS
    ) {
      return part.media_id;
    }
    const media = await this.store.media(part.id);
    if (!media) {
      throw new OutboundRefusal(
        'unsupported_media',
        'The prepared image is no longer stored and TikTok no longer has it: attach it again.',
      );
    }
    const { mediaId } = await this.tokens.withAccessToken(
      conversation.account_id,
      async (token) => {
        await this.limiter.acquire(conversation.business_id);
        return this.client.uploadImage(token, {
          businessId: conversation.business_id,
          bytes: media.bytes,
          fileName: media.fileName,
          contentType: media.contentType,
        });
      },
    );
    await this.store.storeMediaId(part.id, mediaId);
    part.media_id = mediaId;
    return mediaId;
  }

  private refused(error: unknown): AttemptResult {
    if (
      error instanceof OutboundRefusal ||
      error instanceof TiktokReauthorizationRequiredError ||
      error instanceof TiktokApiError
    ) {
      return { kind: 'failed', ...failureOf(error), error };
    }
    throw error;
  }
}
