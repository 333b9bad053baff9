import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import {
  TIKTOK_HELPDESK_PORT,
  type MessageAttachment,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import { TiktokRateLimiter } from '../outbound/rate-limiter';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokTokenService } from '../tokens/tiktok-token.service';

export interface MediaContext {
  accountId: string;
  businessId: string;
  inboxId: string;
  conversationId: string;
  tiktokConversationId: string;
  tiktokMessageId: string;
}

const DEFAULT_TYPES: Record<'image' | 'video', string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
};
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
};

/**
 * Fetches an inbound image or video through `media/download` and streams it, under the byte cap,
 * into the host's `storeAttachment`: the bytes never sit whole in the library's memory. Failures
 * that a retry can fix (network, TikTok busy, the host's storage down) throw, and the event is
 * retried; failures that it cannot (over the cap, media gone, no storage) leave the attachment
 * with an `unavailableReason` and TikTok's media id, so the message itself still lands.
 */
@Injectable()
export class InboundMedia {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    private readonly tokens: TiktokTokenService,
    private readonly limiter: TiktokRateLimiter,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  async fetchAll(
    attachments: MessageAttachment[],
    context: MediaContext,
  ): Promise<MessageAttachment[]> {
    const out: MessageAttachment[] = [];
    for (const [index, attachment] of attachments.entries()) {
      out.push(await this.fetchOne(attachment, index, context));
    }
    return out;
  }

  private async fetchOne(
    attachment: MessageAttachment,
    index: number,
    context: MediaContext,
  ): Promise<MessageAttachment> {
    if (attachment.kind !== 'image' && attachment.kind !== 'video') return attachment;
    const kind = attachment.kind;
    if (!attachment.tiktokMediaId) {
      return { ...attachment, unavailableReason: 'TikTok sent no media id' };
    }
    if (!this.port.storeAttachment) {
      return { ...attachment, unavailableReason: 'the host keeps no attachment files' };
    }
    const maxBytes = this.config.maxInboundAttachmentBytes;
    let media;
    try {
      media = await this.tokens.withAccessToken(context.accountId, async (token) => {
        await this.limiter.acquire(context.businessId); // a messaging endpoint: same rate limit
        const { downloadUrl } = await this.client.getMediaDownloadUrl(token, {
          businessId: context.businessId,
          conversationId: context.tiktokConversationId,
          messageId: context.tiktokMessageId,
          mediaId: attachment.tiktokMediaId as string,
          mediaType: kind === 'image' ? 'IMAGE' : 'VIDEO',
        });
        return this.client.downloadMedia(token, downloadUrl, { maxBytes });
      });
    } catch (error) {
      return this.unavailableOrThrow(attachment, error);
    }

    const contentType = cleanContentType(media.contentType) ?? DEFAULT_TYPES[kind];
    const fileName = `${context.tiktokMessageId}-${index}.${EXTENSIONS[contentType] ?? 'bin'}`;
    const streamError = watchErrors(media.stream);
    let stored: { url: string; size: number };
    try {
      stored = await this.port.storeAttachment({
        inboxId: context.inboxId,
        conversationId: context.conversationId,
        tiktokMessageId: context.tiktokMessageId,
        index,
        kind,
        contentType,
        fileName,
        ...(media.contentLength !== undefined ? { declaredSize: media.contentLength } : {}),
        maxBytes,
        body: media.stream,
      });
    } catch (error) {
      media.stream.destroy();
      // The stream's own failure (over the cap mid-way, connection lost) explains it better.
      return this.unavailableOrThrow(attachment, streamError() ?? error);
    }
    return {
      ...attachment,
      url: stored.url,
      contentType,
      mimeType: contentType,
      size: stored.size,
      fileName,
    };
  }

  private unavailableOrThrow(attachment: MessageAttachment, error: unknown): MessageAttachment {
    if (
      error instanceof TiktokApiError &&
      !error.retryable &&
      error.errorClass !== 'auth_revoked'
    ) {
      const reason =
        error.errorClass === 'invalid_media'
          ? `over the ${this.config.maxInboundAttachmentBytes}-byte cap or not media: ${error.message}`
          : `TikTok refused the download: ${error.message}`;
      this.logger.warn(`An inbound ${attachment.kind} was not stored: ${reason}`);
      return { ...attachment, unavailableReason: reason };
    }
    throw error;
  }
}

function cleanContentType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0].trim().toLowerCase();
  return type && /^[a-z]+\/[\w.+-]+$/.test(type) ? type : undefined;
}

function watchErrors(stream: Readable): () => unknown {
  let failure: unknown;
  stream.on('error', (error) => {
    failure ??= error;
  });
  return () => failure;
}
