import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import type { TiktokConversationSummary } from '../api/tiktok-api.types';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { TiktokRateLimiter } from '../outbound/rate-limiter';
import { queryRows } from '../persistence/sql';
import { TIKTOK_API_CLIENT } from '../tiktok-channel.constants';
import { TiktokTokenService } from '../tokens/tiktok-token.service';
import { boundedKey, normaliseTimestamp } from '../webhook/field-normalise';
import { toJsonbSafe } from '../webhook/json-safe';
import { str } from './content-fields';
import { ConversationLink } from './conversation-link';
import {
  eventTime,
  type HandlerVerdict,
  type InboundAccount,
  type InboundEventRow,
} from './inbound-event';
import { readTiktokMessage } from './tiktok-message';

/** content/list returns only the latest messages, with no paging. */
export const HISTORY_WINDOW = 20;
/**
 * A conversation is fetched when it was updated at or after the notification's time (its
 * `update_time` is its last message's): TikTok stamps both, so a second of slack is plenty.
 */
const SLACK_MS = 1000;

/**
 * `im_receive_msg_eu` is all TikTok sends for people in the EEA, Switzerland and the UK: no body, no
 * conversation id. The library asks `conversation/list` which conversations moved (under the
 * per-business rate limit the sends use), reads each
 * one's `content/list`, and stores every message as the event a normal delivery would have been,
 * under the same dedupe key (`im_receive_msg:<business>:<message id>`). So a message delivered both
 * ways is stored once, and all of them go through the usual per-conversation, in-order processing.
 */
@Injectable()
export class EeaFetch {
  constructor(
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly tokens: TiktokTokenService,
    private readonly conversations: ConversationLink,
    private readonly limiter: TiktokRateLimiter,
  ) {}

  async fetch(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
  ): Promise<HandlerVerdict> {
    const since = eventTime(event).getTime() - SLACK_MS;
    const listed = await this.tokens.withAccessToken(account.id, async (token) => {
      const all: TiktokConversationSummary[] = [];
      for (const conversationType of ['STRANGER', 'SINGLE'] as const) {
        await this.limiter.acquire(account.businessId);
        const page = await this.client.listConversations(token, {
          businessId: account.businessId,
          conversationType,
          limit: 100,
        });
        all.push(...page.conversations);
      }
      return all;
    });
    let chosen = listed.filter((c) => c.updatedAt === 0 || c.updatedAt >= since);
    if (chosen.length === 0 && listed.length > 0) {
      // Clocks disagree: the most recently updated conversation is the best guess.
      chosen = [listed.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a))];
    }
    let stored = 0;
    for (const conversation of new Map(chosen.map((c) => [c.conversationId, c])).values()) {
      stored += await this.storeHistory(manager, account, conversation.conversationId);
    }
    return {
      outcome: 'processed',
      note: `fetched ${chosen.length} conversation(s), ${stored} new message(s)`,
    };
  }

  /** Stores the conversation's latest messages as events; returns how many were new. */
  private async storeHistory(
    manager: EntityManager,
    account: InboundAccount,
    tiktokConversationId: string,
  ): Promise<number> {
    const history = await this.tokens.withAccessToken(account.id, async (token) => {
      await this.limiter.acquire(account.businessId);
      return this.client.listMessages(token, {
        businessId: account.businessId,
        conversationId: tiktokConversationId,
      });
    });
    const now = Date.now();
    let fresh = 0;
    let oldest: { ms: number } | null = null;
    let personId: string | undefined;
    for (const message of history.messages) {
      const content: Record<string, unknown> = {
        ...message,
        conversation_id: tiktokConversationId,
      };
      const view = readTiktokMessage(content, account.businessId, 'im_receive_msg');
      if (!view.messageId) continue;
      if (!view.fromBusiness) personId ??= view.senderId;
      else if (view.recipientId !== account.businessId) personId ??= view.recipientId;
      const time = normaliseTimestamp(content.timestamp ?? content.create_time, now, now);
      const eventName = view.fromBusiness ? 'im_send_msg' : 'im_receive_msg';
      const safe = toJsonbSafe(content).value as Record<string, unknown>;
      const rows = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO tiktok_webhook_events
           (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content, status, intake_note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [
          boundedKey(`${eventName}:${account.businessId}:${view.messageId}`),
          eventName,
          account.businessId,
          tiktokConversationId,
          time.ms,
          Buffer.from(JSON.stringify(safe)),
          JSON.stringify(safe),
          ['fetched from content/list after im_receive_msg_eu', time.note]
            .filter(Boolean)
            .join('; '),
        ],
      );
      if (rows.length > 0) fresh++;
      if (oldest === null || time.ms < oldest.ms) oldest = { ms: time.ms };
    }
    // Every one of the window's messages is new to us: older ones may have been dropped.
    if (history.messages.length >= HISTORY_WINDOW && fresh === history.messages.length && oldest) {
      await manager.query(
        `INSERT INTO tiktok_webhook_events
           (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content, status, intake_note)
         VALUES ($1, 'history_gap', $2, $3, $4, '', $5, 'pending', 'content/list window full of unseen messages')
         ON CONFLICT (dedupe_key) DO NOTHING`,
        [
          boundedKey(`history_gap:${account.businessId}:${tiktokConversationId}:${oldest.ms}`),
          account.businessId,
          tiktokConversationId,
          oldest.ms - 1,
          JSON.stringify({
            conversation_id: tiktokConversationId,
            person_id: personId ?? null,
            oldest_ms: oldest.ms,
          }),
        ],
      );
    }
    return fresh;
  }

  /** The note that TikTok's 20-message window may have dropped messages before these. */
  async gap(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
  ): Promise<HandlerVerdict> {
    const tiktokConversationId = event.tiktok_conversation_id as string;
    const known = await this.conversations.find(manager, account.id, tiktokConversationId);
    const personId = known?.tiktok_user_id ?? str(event.content.person_id);
    if (!personId)
      return { outcome: 'ignored', note: 'history gap on a conversation without a customer' };
    const { row } = await this.conversations.link(
      manager,
      account,
      tiktokConversationId,
      personId,
      undefined,
    );
    await this.port.appendNote?.({
      inboxId: account.inboxId,
      conversationId: row.host_conversation_id,
      key: `history_gap:${event.id}`,
      kind: 'history_gap',
      text: `TikTok only lets us read the ${HISTORY_WINDOW} latest messages of this conversation; earlier ones may be missing here. Open the conversation in TikTok to see them.`,
      data: { oldestFetchedAt: Number(event.content.oldest_ms) || null },
      at: eventTime(event),
    });
    return { outcome: 'processed', note: 'history gap noted' };
  }
}
