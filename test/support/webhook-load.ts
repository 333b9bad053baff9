import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signTiktokPayload } from '../../libs/tiktok-channel/src/testing';

export interface LoadBusiness {
  businessId: string;
  username: string;
}

export interface WebhookLoadPlan {
  appId: string;
  appSecret: string;
  businesses: LoadBusiness[];
  conversationsPerBusiness: number;
  messagesPerConversation: number;
  /** Base URLs to spread deliveries over, round-robin (a dead one stays in the rotation). */
  targets: string[];
  /** Called after every acknowledged delivery with the running total. */
  onAcknowledged?: (total: number) => void | Promise<void>;
  /** A delivery not acknowledged after this long fails the load. Default 180 s. */
  giveUpAfterMs?: number;
}

export interface WebhookLoadResult {
  /** Per TikTok conversation id, the message ids in the order they were acknowledged (= sent). */
  acknowledged: Map<string, string[]>;
  total: number;
  attempts: number;
  /** Answers other than 200 (e.g. 503 while the database is down), by status. */
  refusals: Record<string, number>;
  /** Deliveries that got no answer at all (a killed process, a reset connection). */
  transportErrors: number;
}

/**
 * TikTok's side of the webhooks, as a load balancer in front of several processes sees it:
 * signed `im_receive_msg` deliveries, each conversation's messages one after another (the next is
 * sent once the previous one was acknowledged, with a later timestamp), every conversation at
 * once, each delivery to the next target in turn. Anything but a 200 is delivered again, to the
 * next target, with a growing pause, as TikTok retries: only a 200 counts as acknowledged.
 */
export async function runWebhookLoad(plan: WebhookLoadPlan): Promise<WebhookLoadResult> {
  const run = randomBytes(4).toString('hex');
  const acknowledged = new Map<string, string[]>();
  const refusals: Record<string, number> = {};
  let next = 0;
  let total = 0;
  let attempts = 0;
  let transportErrors = 0;
  const giveUpAfterMs = plan.giveUpAfterMs ?? 180_000;

  async function deliver(body: string): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const target = plan.targets[next++ % plan.targets.length];
      attempts++;
      const bytes = Buffer.from(body, 'utf8');
      const signature = signTiktokPayload(plan.appSecret, Math.floor(Date.now() / 1000), bytes);
      try {
        const response = await fetch(`${target}/tiktok/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'tiktok-signature': signature },
          body: bytes,
          signal: AbortSignal.timeout(15_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) return;
        refusals[response.status] = (refusals[response.status] ?? 0) + 1;
      } catch {
        transportErrors++;
      }
      if (Date.now() - started > giveUpAfterMs) {
        throw new Error(`a delivery was not acknowledged within ${giveUpAfterMs} ms: ${body}`);
      }
      // Another target may take it at once; a pause only once every target was tried.
      if (attempt % plan.targets.length === plan.targets.length - 1) {
        await sleep(Math.min(1000, 50 * 2 ** Math.floor(attempt / plan.targets.length)));
      }
    }
  }

  async function conversation(business: LoadBusiness, index: number): Promise<void> {
    const conversationId = `conv_${run}_${business.username}_${index}+load`;
    const customer = `user_${run}_${business.username}_${index}`;
    const sent: string[] = [];
    acknowledged.set(conversationId, sent);
    let timestamp = 0;
    for (let m = 0; m < plan.messagesPerConversation; m++) {
      const messageId = `msg_${run}_${business.username}_${index}_${m}`;
      // Later than everything acknowledged before it in the conversation (milliseconds, as TikTok).
      timestamp = Math.max(Date.now(), timestamp + 1);
      const content = {
        conversation_id: conversationId,
        message_id: messageId,
        timestamp,
        type: 'text',
        text: { body: `message ${m} of ${conversationId}` },
        from: `fan.${index}`,
        to: business.username,
        from_user: { id: customer, role: 'personal_account' },
        to_user: { id: business.businessId, role: 'business_account' },
      };
      await deliver(
        JSON.stringify({
          client_key: plan.appId,
          event: 'im_receive_msg',
          create_time: Math.floor(Date.now() / 1000),
          user_openid: business.businessId,
          content: JSON.stringify(content),
        }),
      );
      sent.push(messageId);
      total++;
      await plan.onAcknowledged?.(total);
    }
  }

  await Promise.all(
    plan.businesses.flatMap((business) =>
      Array.from({ length: plan.conversationsPerBusiness }, (_, i) => conversation(business, i)),
    ),
  );
  return { acknowledged, total, attempts, refusals, transportErrors };
}
