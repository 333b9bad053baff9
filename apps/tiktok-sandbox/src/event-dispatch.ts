import { Account, PreparedWebhook } from './sandbox-state';
import { WebhookDelivery } from './webhook-delivery';

/** Whether an event's webhooks went out: the answer never waits for the callback itself. */
export type WebhookDispatch = 'queued' | 'no_callback' | 'business_disconnected';

/** Queues the webhooks of one event, unless the business disconnected the app (as on TikTok). */
export function dispatchWebhooks(
  delivery: WebhookDelivery,
  business: Account,
  webhooks: PreparedWebhook[],
): WebhookDispatch {
  if (!business.connected) return 'business_disconnected';
  let queued = false;
  for (const webhook of webhooks) queued = delivery.deliver(webhook) || queued;
  return queued ? 'queued' : 'no_callback';
}
