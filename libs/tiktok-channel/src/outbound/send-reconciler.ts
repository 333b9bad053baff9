import { Inject, Injectable } from '@nestjs/common';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { OutboundStore, type OutboundConversation, type PartRow } from './outbound-store';
import { TiktokRateLimiter } from './rate-limiter';

/** TikTok's content/list gives only this many latest messages, with no paging. */
const HISTORY_SIZE = 20;
/**
 * How far before our request a matching message may be stamped: TikTok's clock and ours differ
 * a little. Kept small, because an identical text sent earlier from the TikTok app must not pass
 * for ours.
 */
export const CLOCK_SKEW_MS = 60_000;

export type Reconciliation =
  /** The message is in TikTok: this is its id. */
  | { outcome: 'found'; tiktokMessageId: string; via: 'echo' | 'history' }
  /** TikTok's history covers the whole time since the request left, and it is not there. */
  | { outcome: 'absent' }
  /** More than 20 messages came after the request: the history cannot tell. */
  | { outcome: 'undetermined'; detail: string };

/**
 * Looks for a part whose request left without an answer (timeout, lost connection, gateway 5xx,
 * a crash), before anything is sent again: TikTok has no idempotency key, so only finding the
 * message, or proving it is not there, makes a resend safe.
 *
 * First the `im_send_msg` echoes already stored, then `content/list`. A message matches a part
 * when all of these hold:
 * - the business sent it (`from_user.id` is the business, when TikTok says who sent it);
 * - its type is the part's, and its content is the part's exactly: the text body for TEXT (a link
 *   too), the `media_id` of our upload for IMAGE, the post's item id for SHARE_POST;
 * - it is stamped no earlier than one minute before the request left;
 * - no other part already has its message id.
 * When several match, the oldest is taken: one conversation sends one part at a time, in order.
 *
 * Limits: content/list returns the 20 latest messages only. When all 20 are newer than the
 * request, an absent match proves nothing and the part is reported `delivery_unconfirmed` rather
 * than resent. A text the business also typed in the TikTok app, word for word, within that
 * minute, could be taken for ours (and ours then counted as sent).
 */
@Injectable()
export class SendReconciler {
  constructor(
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    private readonly tokens: TiktokTokenService,
    private readonly limiter: TiktokRateLimiter,
    private readonly store: OutboundStore,
  ) {}

  /** Throws when TikTok cannot be asked (the caller tries again later). */
  async reconcile(part: PartRow, conversation: OutboundConversation): Promise<Reconciliation> {
    const since = (part.attempt_started_at?.getTime() ?? 0) - CLOCK_SKEW_MS;

    const echoes = await this.store.unclaimedEchoes(
      conversation.business_id,
      conversation.tiktok_conversation_id,
      since,
    );
    const echo = echoes.find((message) =>
      matchesPart(message, part, conversation.business_id, since),
    );
    const echoId = echo && messageIdOf(echo);
    if (echoId) return { outcome: 'found', tiktokMessageId: echoId, via: 'echo' };

    const history = await this.tokens.withAccessToken(conversation.account_id, async (token) => {
      await this.limiter.acquire(conversation.business_id);
      return this.client.listMessages(token, {
        businessId: conversation.business_id,
        conversationId: conversation.tiktok_conversation_id,
      });
    });
    const claimed = await this.store.claimedIds(
      history.messages.map(messageIdOf).filter((id): id is string => id !== undefined),
    );
    const candidates = history.messages
      .filter((message) => {
        const id = messageIdOf(message);
        return id !== undefined && !claimed.has(id);
      })
      .filter((message) => matchesPart(message, part, conversation.business_id, since))
      .sort((a, b) => timestampOf(a) - timestampOf(b));
    const found = candidates[0] && messageIdOf(candidates[0]);
    if (found) return { outcome: 'found', tiktokMessageId: found, via: 'history' };

    const stamps = history.messages.map(timestampOf).filter((stamp) => stamp > 0);
    if (
      history.messages.length >= HISTORY_SIZE &&
      stamps.length > 0 &&
      Math.min(...stamps) > since
    ) {
      return {
        outcome: 'undetermined',
        detail:
          'TikTok did not answer the send, and more than 20 messages followed it, so TikTok’s ' +
          'history (its 20 latest messages) cannot show whether it arrived. Check the conversation in ' +
          'TikTok before sending it again.',
      };
    }
    return { outcome: 'absent' };
  }
}

/** Whether a TikTok message (REST history or webhook content) is this part's. */
export function matchesPart(
  message: Record<string, unknown>,
  part: Pick<PartRow, 'message_type' | 'body' | 'media_id' | 'share_item_id'>,
  businessId: string,
  sinceMs: number,
): boolean {
  const sender = record(message['from_user'])?.['id'];
  if (sender !== undefined && String(sender) !== businessId) return false;
  const stamp = timestampOf(message);
  if (stamp > 0 && stamp < sinceMs) return false;
  const type = String(message['type'] ?? '').toUpperCase();
  if (type !== part.message_type) return false;
  switch (part.message_type) {
    case 'TEXT':
      return record(message['text'])?.['body'] === part.body;
    case 'IMAGE':
      return part.media_id !== null && record(message['image'])?.['media_id'] === part.media_id;
    case 'SHARE_POST': {
      const post = record(message['share_post']);
      const ids = [post?.['item_id'], post?.['video_id']].map((id) =>
        id === undefined ? undefined : String(id),
      );
      return part.share_item_id !== null && ids.includes(part.share_item_id);
    }
    default:
      return false;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function messageIdOf(message: Record<string, unknown>): string | undefined {
  const id = message['message_id'];
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

/** Milliseconds; 0 when absent. */
function timestampOf(message: Record<string, unknown>): number {
  const value = Number(message['timestamp']);
  return Number.isFinite(value) ? value : 0;
}
