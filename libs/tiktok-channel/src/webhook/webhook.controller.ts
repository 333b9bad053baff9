import {
  Controller,
  Headers,
  HttpCode,
  InternalServerErrorException,
  Logger,
  Post,
  Req,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { InboundProcessor } from '../inbound/inbound-processor.service';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { parseWebhook } from './webhook-envelope';
import { WebhookEventStore } from './webhook-event.store';
import { verifyTiktokSignature } from './webhook-signature';

/**
 * TikTok's DIRECT_MESSAGE callback. The answer is the delivery receipt: 200 only once the event is
 * durably stored (then TikTok stops retrying), 401 for a bad signature, 503 when the database cannot
 * take it (TikTok retries for up to 72 h, so nothing is lost).
 */
@Controller('tiktok/webhook')
export class TiktokWebhookController {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly store: WebhookEventStore,
    private readonly processor: InboundProcessor,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(
    @Req() req: Request,
    @Headers('tiktok-signature') signature: string | undefined,
  ): Promise<{ received: true; duplicate: boolean }> {
    const rawBody = (req as unknown as Record<string, unknown>)[this.config.rawBodyProperty];
    if (!Buffer.isBuffer(rawBody)) {
      // Without the raw bytes no signature can be checked: a host set-up error, not TikTok's.
      this.logger.error(
        'TikTok webhook has no raw body: create the Nest app with { rawBody: true }',
      );
      throw new InternalServerErrorException('raw body unavailable');
    }
    const check = verifyTiktokSignature({
      header: signature,
      rawBody,
      secret: this.config.appSecret,
      nowSeconds: Math.floor(Date.now() / 1000),
      toleranceSeconds: this.config.webhookToleranceSeconds,
    });
    if (!check.ok) {
      this.logger.warn(`Rejected a TikTok webhook: signature ${check.reason}`);
      throw new UnauthorizedException({ error: 'invalid_signature', reason: check.reason });
    }

    const webhook = parseWebhook(rawBody);
    let stored;
    try {
      stored = await this.store.save(webhook, rawBody);
    } catch (error) {
      this.logger.error(
        `Could not store a TikTok webhook (${webhook.event}): ${(error as Error).message}`,
      );
      throw new ServiceUnavailableException('event not stored, retry later');
    }
    if (stored.isNew && webhook.handled) this.processor.kick();
    return { received: true, duplicate: !stored.isNew };
  }
}
