import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { OutboundStore, type OutboundConversation } from './outbound-store';
import { TiktokRateLimiter } from './rate-limiter';

/**
 * Whether a customer can receive images (TikTok limits image sending by region), from
 * `capabilities/get`, cached on the conversation for `capabilitiesTtlSeconds` and forgotten when
 * TikTok refuses an image there.
 */
@Injectable()
export class ImageCapability {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly tokens: TiktokTokenService,
    private readonly limiter: TiktokRateLimiter,
    private readonly store: OutboundStore,
  ) {}

  /** The cached answer while it is fresh, without asking TikTok. */
  cached(conversation: OutboundConversation): boolean | 'unknown' {
    const checkedAt = conversation.capabilities_checked_at;
    const fresh =
      checkedAt !== null &&
      Date.now() - checkedAt.getTime() < this.config.capabilitiesTtlSeconds * 1000;
    if (!fresh || conversation.image_send_capability === null) return 'unknown';
    return conversation.image_send_capability;
  }

  /**
   * The answer, asking TikTok when the cache has none. A question TikTok does not answer gives
   * `unknown`: the image is then tried, and TikTok's answer to it decides.
   */
  async imageSend(conversation: OutboundConversation): Promise<boolean | 'unknown'> {
    const cached = this.cached(conversation);
    if (cached !== 'unknown') return cached;
    try {
      const replied = await this.store.businessHasReplied(conversation.id);
      const { imageSend } = await this.tokens.withAccessToken(
        conversation.account_id,
        async (token) => {
          await this.limiter.acquire(conversation.business_id);
          return this.client.getCapabilities(token, {
            businessId: conversation.business_id,
            conversationId: conversation.tiktok_conversation_id,
            conversationType: replied ? 'SINGLE' : 'STRANGER',
          });
        },
      );
      await this.store.storeImageCapability(
        conversation.id,
        imageSend === 'unknown' ? null : imageSend,
      );
      return imageSend;
    } catch (error) {
      this.logger.warn(
        `Asking TikTok whether conversation ${conversation.id} can receive images failed: ${(error as Error).message}`,
      );
      return 'unknown';
    }
  }
}
