import { Injectable, Logger } from '@nestjs/common';
import { InboundProcessor } from '../inbound/inbound-processor.service';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { parseWebhook } from './webhook-envelope';
import { WebhookEventStore } from './webhook-event.store';
import { verifyTiktokSignature } from './webhook-signature';

/** The answer TikTok gets: its delivery receipt. */
export type IntakeAnswer =
  | { status: 200; body: { received: true; duplicate: boolean } }
  | { status: 401; body: { error: 'invalid_signature'; reason: string } }
  | { status: 503; body: { error: 'not_stored'; message: string } };

/**
 * Verify, parse, store: the one path every delivery takes, whichever way its bytes reached us (the
 * host's body parser, our own read of a `text/plain` body, or a body the JSON parser refused).
 * 200 once the event is durably stored, 401 for a bad signature, 503 only when the database
 * cannot take a write (TikTok retries for up to 72 h).
 */
@Injectable()
export class WebhookIntake {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly store: WebhookEventStore,
    private readonly processor: InboundProcessor,
  ) {}

  async receive(rawBody: Buffer, signature: string | undefined): Promise<IntakeAnswer> {
    const check = verifyTiktokSignature({
      header: signature,
      rawBody,
      secret: this.config.appSecret,
      nowSeconds: Math.floor(Date.now() / 1000),
      toleranceSeconds: this.config.webhookToleranceSeconds,
    });
    if (!check.ok) {
      this.logger.warn(`Rejected a TikTok webhook: signature ${check.reason}`);
      return { status: 401, body: { error: 'invalid_signature', reason: check.reason } };
    }
    const webhook = parseWebhook(rawBody);
    this.processor.noteDelivery();
    try {
      const stored = await this.store.save(webhook, rawBody);
      if (stored.isNew && stored.parsed && webhook.handled) this.processor.kick();
      return { status: 200, body: { received: true, duplicate: !stored.isNew } };
    } catch (error) {
      this.logger.error(
        `Could not store a TikTok webhook (${webhook.event.slice(0, 64)}): ${(error as Error).message}`,
      );
      return {
        status: 503,
        body: { error: 'not_stored', message: 'event not stored, retry later' },
      };
    }
  }
}
