import { SandboxConfig } from './options';
import { Account, PreparedWebhook, StoredMessage, TikTokUser } from './sandbox-state';
import { DEFAULT_WIRE_SHAPE, WireShape, WireWriter } from './wire-shape';

type Role = 'personal_account' | 'business_account';

interface Party {
  id: string;
  username: string;
  role: Role;
}

function personOf(user: TikTokUser): Party {
  return { id: user.userId, username: user.username, role: 'personal_account' };
}

function companyOf(business: Account): Party {
  return { id: business.openId, username: business.username, role: 'business_account' };
}

/** The typed block of a message event: `type` and the one block named after it. */
export function eventBlock(message: StoredMessage, wire: WireWriter): Record<string, unknown> {
  const type = wire.enumValue(message.type);
  const details = message.inbound ?? {};
  const quote = message.referencedMessageId
    ? { referenced_message_info: { referenced_message_id: wire.id(message.referencedMessageId) } }
    : {};
  switch (message.type) {
    case 'image':
    case 'video':
      return { type, [message.type]: { media_id: message.mediaId ?? '' }, ...quote };
    case 'sticker':
    case 'emoji':
      return { type, [message.type]: { url: details.url ?? '' }, ...quote };
    case 'share_post': {
      const videoId = message.itemId ?? '';
      const embed =
        details.withEmbedUrl === false
          ? {}
          : { embed_url: `https://www.tiktok.com/embed/v2/${videoId}` };
      return { type, share_post: { ...embed, video_id: videoId }, ...quote };
    }
    case 'template': {
      const card = details.template;
      return {
        type,
        template: card
          ? {
              type: wire.enumValue(card.type),
              elements: [
                {
                  title: card.title,
                  buttons: card.buttons.map((button) => ({
                    text: button.text,
                    type: wire.enumValue(button.type),
                    id: button.id,
                  })),
                },
              ],
            }
          : {},
        ...quote,
      };
    }
    case 'text':
      return {
        type,
        text: { body: message.text },
        ...quote,
        ...(details.replySourcePayload !== undefined
          ? { reply_source_payload: details.replySourcePayload }
          : {}),
      };
    default:
      // A type TikTok added after this sandbox: its block is named after it, as for the others.
      return { type, [message.type]: details.payload ?? {}, ...quote };
  }
}

function prepared(
  config: SandboxConfig,
  event: string,
  key: string,
  business: Account,
  createdAtMs: number,
  content: Record<string, unknown>,
  wire: WireWriter,
): PreparedWebhook {
  const body = JSON.stringify({
    client_key: config.appId,
    event,
    create_time: Math.floor(createdAtMs / 1000),
    user_openid: business.openId,
    content: wire.content(content),
  });
  return { event, messageId: key, body };
}

/**
 * The webhook for one stored message. A person's message is `im_receive_msg`; a business's is
 * `im_send_msg`, whether it came from the API (the echo of a send) or was typed in the TikTok app.
 */
export function messageWebhook(
  config: SandboxConfig,
  business: Account,
  user: TikTokUser,
  message: StoredMessage,
  businessSource: 'API' | 'APP' = 'API',
  shape: WireShape = DEFAULT_WIRE_SHAPE,
): PreparedWebhook {
  const wire = new WireWriter(shape);
  const incoming = message.from === 'user';
  const [sender, recipient] = incoming
    ? [personOf(user), companyOf(business)]
    : [companyOf(business), personOf(user)];
  const content = {
    conversation_id: message.conversationId,
    message_id: wire.id(message.messageId),
    timestamp: wire.timestamp(message.timestamp),
    ...eventBlock(message, wire),
    ...wire.parties(sender, recipient),
    ...(message.inbound?.isFollower !== undefined
      ? { is_follower: message.inbound.isFollower }
      : {}),
    ...(message.inbound?.autoMessageType !== undefined
      ? { auto_message_type: message.inbound.autoMessageType }
      : {}),
    ...(incoming ? {} : { message_tag: { source: businessSource } }),
  };
  const event = incoming ? 'im_receive_msg' : 'im_send_msg';
  return prepared(config, event, message.messageId, business, message.timestamp, content, wire);
}

/**
 * What TikTok sends for a person in the EEA, Switzerland or the UK: no body, no conversation id,
 * only `to`, `to_user` and `timestamp`; the app must fetch the message with conversation/list and
 * content/list.
 */
export function eeaMessageWebhook(
  config: SandboxConfig,
  business: Account,
  message: StoredMessage,
  shape: WireShape = DEFAULT_WIRE_SHAPE,
): PreparedWebhook {
  const wire = new WireWriter(shape);
  const content = {
    to: business.username,
    ...(shape.toUser ? { to_user: wire.participant(business.openId, 'business_account') } : {}),
    timestamp: wire.timestamp(message.timestamp),
  };
  return prepared(
    config,
    'im_receive_msg_eu',
    message.messageId,
    business,
    message.timestamp,
    content,
    wire,
  );
}

export interface ReactionEvent {
  eventId: string;
  conversationId: string;
  operation: 'ADD' | 'REMOVE';
  emoji: string;
  originalMessageId: string;
  timestamp: number;
}

/** A person adds or removes a reaction on a message: `im_receive_msg` of type `reaction`. */
export function reactionWebhook(
  config: SandboxConfig,
  business: Account,
  user: TikTokUser,
  reaction: ReactionEvent,
  shape: WireShape = DEFAULT_WIRE_SHAPE,
): PreparedWebhook {
  const wire = new WireWriter(shape);
  const content = {
    conversation_id: reaction.conversationId,
    message_id: wire.id(reaction.eventId),
    timestamp: wire.timestamp(reaction.timestamp),
    type: wire.enumValue('reaction'),
    reaction: [
      {
        operation: reaction.operation,
        type: wire.enumValue('emoji'),
        emoji: reaction.emoji,
        original_msg_id: wire.id(reaction.originalMessageId),
        timestamp: wire.timestamp(reaction.timestamp),
      },
    ],
    ...wire.parties(personOf(user), companyOf(business)),
  };
  return prepared(
    config,
    'im_receive_msg',
    reaction.eventId,
    business,
    reaction.timestamp,
    content,
    wire,
  );
}

export interface ReadReceiptEvent {
  eventId: string;
  conversationId: string;
  /** Who read: the person (the usual case) or the business itself, in the TikTok app. */
  by: 'user' | 'business';
  lastReadTimestamp: number;
  timestamp: number;
}

/** `im_mark_read_msg`: the reader read the conversation up to `last_read_timestamp`. */
export function readReceiptWebhook(
  config: SandboxConfig,
  business: Account,
  user: TikTokUser,
  receipt: ReadReceiptEvent,
  shape: WireShape = DEFAULT_WIRE_SHAPE,
): PreparedWebhook {
  const wire = new WireWriter(shape);
  const [reader, other] =
    receipt.by === 'user'
      ? [personOf(user), companyOf(business)]
      : [companyOf(business), personOf(user)];
  const content = {
    conversation_id: receipt.conversationId,
    timestamp: wire.timestamp(receipt.timestamp),
    ...wire.parties(reader, other),
    read: { last_read_timestamp: wire.timestamp(receipt.lastReadTimestamp) },
  };
  return prepared(
    config,
    'im_mark_read_msg',
    receipt.eventId,
    business,
    receipt.timestamp,
    content,
    wire,
  );
}

export interface ReferralEvent {
  eventId: string;
  conversationId: string;
  source: 'ad' | 'short_link';
  ad?: { adId: string; adName: string; embedUrl: string };
  shortLink?: { ref: string; url: string };
  timestamp: number;
}

/** `im_referral_msg`: the person came from an ad or a tiktok.me link. No message, no type. */
export function referralWebhook(
  config: SandboxConfig,
  business: Account,
  user: TikTokUser,
  referral: ReferralEvent,
  shape: WireShape = DEFAULT_WIRE_SHAPE,
): PreparedWebhook {
  const wire = new WireWriter(shape);
  const content = {
    conversation_id: referral.conversationId,
    timestamp: wire.timestamp(referral.timestamp),
    ...wire.parties(personOf(user), companyOf(business)),
    referral: {
      source: wire.enumValue(referral.source),
      ...(referral.ad
        ? {
            ad: {
              ad_id: wire.id(referral.ad.adId),
              ad_name: referral.ad.adName,
              embed_url: referral.ad.embedUrl,
            },
          }
        : {}),
      ...(referral.shortLink
        ? { short_link: { ref: referral.shortLink.ref, url: referral.shortLink.url } }
        : {}),
    },
  };
  return prepared(
    config,
    'im_referral_msg',
    referral.eventId,
    business,
    referral.timestamp,
    content,
    wire,
  );
}
