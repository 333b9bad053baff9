import { randomBytes } from 'node:crypto';
import { signTiktokPayload } from 'tiktok-channel/testing';

/** One webhook delivery as TikTok sends it: the exact body bytes and their `TikTok-Signature`. */
export interface Delivery {
  body: string;
  signature: string;
}

export interface DeliverySpec {
  appId: string;
  appSecret: string;
  /** The business's open_id (`user_openid` of the envelope). */
  businessId: string;
  businessUsername: string;
  /** Distinguishes the sets of one run: message ids must never repeat across sets. */
  setName: string;
  count: number;
  /** Messages are spread round-robin over this many customers, one conversation each. */
  conversations: number;
}

/**
 * `im_receive_msg` deliveries shaped like the sandbox's (and TikTok's): `content` is a JSON string
 * inside the JSON body. Every message id is new, so each delivery is a real insert; sending a
 * delivery again is a redelivery (same body, same dedupe key).
 */
export function buildDeliveries(spec: DeliverySpec): Delivery[] {
  const run = randomBytes(4).toString('hex');
  const signedAt = Math.floor(Date.now() / 1000);
  const startMs = Date.now();
  const deliveries: Delivery[] = [];
  for (let i = 0; i < spec.count; i++) {
    const person = i % spec.conversations;
    const username = `bench.customer.${person}`;
    const timestamp = startMs + i;
    const content = {
      conversation_id: `conv_bench_${run}_${spec.setName}_${person}+x`,
      message_id: `msg_bench_${run}_${spec.setName}_${i}`,
      timestamp,
      type: 'text',
      text: { body: `Hello, is item #${i} still available in blue?` },
      from: username,
      to: spec.businessUsername,
      from_user: { id: `user_bench_${run}_${spec.setName}_${person}`, role: 'personal_account' },
      to_user: { id: spec.businessId, role: 'business_account' },
    };
    const body = JSON.stringify({
      client_key: spec.appId,
      event: 'im_receive_msg',
      create_time: Math.floor(timestamp / 1000),
      user_openid: spec.businessId,
      content: JSON.stringify(content),
    });
    deliveries.push({
      body,
      signature: signTiktokPayload(spec.appSecret, signedAt, Buffer.from(body, 'utf8')),
    });
  }
  return deliveries;
}
