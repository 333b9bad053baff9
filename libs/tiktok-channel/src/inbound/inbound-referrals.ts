import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { TiktokEvents, type ConversationReferralEvent } from '../host/tiktok-events';
import { block, str } from './content-fields';
import { ConversationLink } from './conversation-link';
import {
  eventTime,
  type HandlerVerdict,
  type InboundAccount,
  type InboundEventRow,
  type Publication,
} from './inbound-event';

/** Fields of the envelope's content that route the event rather than describe the referral. */
const ROUTING = new Set(['conversation_id', 'from_user', 'to_user', 'from', 'to', 'timestamp']);

/**
 * `im_referral_msg`: which ad, post or tiktok.me link brought the customer. It is no message: it
 * becomes a note in the conversation (`appendNote`, kind `referral`) and an automation event.
 */
@Injectable()
export class InboundReferrals {
  constructor(
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly conversations: ConversationLink,
  ) {}

  async referral(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
    out: Publication[],
  ): Promise<HandlerVerdict> {
    const c = event.content;
    const personId = str(block(c, 'from_user').id) ?? str(c.unique_identifier);
    const tiktokConversationId =
      event.tiktok_conversation_id ??
      (personId
        ? (await this.conversations.findByPerson(manager, account.id, personId))
            ?.tiktok_conversation_id
        : undefined);
    if (!tiktokConversationId)
      return { outcome: 'ignored', note: 'referral for a conversation the library does not know' };
    const known = await this.conversations.find(manager, account.id, tiktokConversationId);
    const person = personId ?? known?.tiktok_user_id;
    if (!person) return { outcome: 'ignored', note: 'referral without the customer' };
    const { row } = await this.conversations.link(
      manager,
      account,
      tiktokConversationId,
      person,
      str(c.from),
    );
    const referral = referralFields(c);
    const at = eventTime(event);
    await this.port.appendNote?.({
      inboxId: account.inboxId,
      conversationId: row.host_conversation_id,
      key: `referral:${event.id}`,
      kind: 'referral',
      text: describe(referral),
      data: referral,
      at,
    });
    out.push({
      name: TiktokEvents.ConversationReferral,
      payload: {
        inboxId: account.inboxId,
        conversationId: row.host_conversation_id,
        tiktokConversationId,
        referral,
        at,
      } satisfies ConversationReferralEvent,
    });
    return { outcome: 'processed', note: 'referral' };
  }
}

/** The referral's scalar fields, flattened one level (`referral`/`referral_info` blocks or top level). */
function referralFields(
  c: Record<string, unknown>,
): Record<string, string | number | boolean | null> {
  const source = Object.keys(block(c, 'referral')).length
    ? block(c, 'referral')
    : Object.keys(block(c, 'referral_info')).length
      ? block(c, 'referral_info')
      : c;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(source)) {
    if (ROUTING.has(key)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      out[key] = value as string | number | boolean | null;
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        if (innerValue === null || ['string', 'number', 'boolean'].includes(typeof innerValue))
          out[`${key}.${inner}`] = innerValue as string | number | boolean | null;
      }
    }
  }
  return out;
}

function describe(referral: Record<string, string | number | boolean | null>): string {
  const source = String(referral.source ?? referral.type ?? '').toLowerCase();
  const what = source.includes('ad')
    ? 'an ad'
    : source.includes('link') || source.includes('tiktok.me')
      ? 'a tiktok.me link'
      : source.includes('post') || source.includes('video')
        ? 'a post'
        : 'a referral';
  const details = Object.entries(referral)
    .filter(([key]) => key !== 'source' && key !== 'type')
    .map(([key, value]) => `${key}: ${String(value)}`)
    .slice(0, 8)
    .join(', ');
  return `The customer came from ${what}${details ? ` (${details})` : ''}.`;
}
