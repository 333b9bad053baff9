/**
 * Helpers for a host's own tests of its TikTok integration: `import { ... } from
 * 'tiktok-channel/testing'`. Nothing here belongs in production code paths.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { InboundProcessor } from '../inbound/inbound-processor.service';
import { OutboundWorker } from '../outbound/outbound-worker.service';

export { signTiktokPayload, verifyTiktokSignature } from '../webhook/webhook-signature';
export type { SignatureCheck, SignatureCheckInput } from '../webhook/webhook-signature';
export { TokenCipher, TokenDecryptionError } from '../tokens/token-cipher';
export { InboundProcessor } from '../inbound/inbound-processor.service';
export { OutboundWorker } from '../outbound/outbound-worker.service';

/**
 * Processes every stored webhook event that is due, sends every outbound part that is due, and
 * waits until the automation listeners those triggered have finished: a settled state to assert
 * on, without sleeping. (Parts waiting for a backoff are not waited for.)
 */
export async function settleTiktokChannel(app: INestApplicationContext): Promise<void> {
  await app.get(InboundProcessor, { strict: false }).settle();
  await app.get(OutboundWorker, { strict: false }).settle();
  await app.get(InboundProcessor, { strict: false }).settle();
  await app.get(TiktokEventPublisher, { strict: false }).settled();
}

/** A webhook body the way TikTok builds it: `content` is a JSON string inside the envelope. */
export function tiktokWebhookEnvelope(
  event: string,
  businessId: string,
  content: Record<string, unknown>,
  options: { appId?: string; createTime?: number } = {},
): Record<string, unknown> {
  return {
    client_key: options.appId ?? 'app',
    event,
    create_time: options.createTime ?? Math.floor(Date.now() / 1000),
    user_openid: businessId,
    content: JSON.stringify(content),
  };
}
