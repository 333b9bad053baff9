import { SandboxConfig } from './options';
import { Account, PreparedWebhook, StoredMessage, TikTokUser } from './sandbox-state';

interface Participant {
  id: string;
  role: 'personal_account' | 'business_account';
}

/** The message `content` of im_receive_msg / im_send_msg, before it is serialised to a string. */
/** The typed block of a message event (webhook enums are lowercase). */
export type MessageEventBlock =
  | {
      type: 'text';
      text: { body: string };
      referenced_message_info?: { referenced_message_id: string };
    }
  | { type: 'image'; image: { media_id: string } }
  | { type: 'share_post'; share_post: { embed_url: string; video_id: string } };

export type MessageEventContent = MessageEventBlock & {
  conversation_id: string;
  message_id: string;
  timestamp: number;
  from: string;
  to: string;
  from_user: Participant;
  to_user: Participant;
  message_tag?: { source: 'API' | 'APP' };
};

/** The block for a stored message; share posts name their post by id and embed URL. */
export function eventBlock(message: StoredMessage): MessageEventBlock {
  if (message.type === 'image' && message.mediaId) {
    return { type: 'image', image: { media_id: message.mediaId } };
  }
  if (message.type === 'share_post' && message.itemId) {
    return {
      type: 'share_post',
      share_post: {
        embed_url: `https://www.tiktok.com/embed/v2/${message.itemId}`,
        video_id: message.itemId,
      },
    };
  }
  return {
    type: 'text',
    text: { body: message.text },
    ...(message.referencedMessageId
      ? { referenced_message_info: { referenced_message_id: message.referencedMessageId } }
      : {}),
  };
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
): PreparedWebhook {
  const person: Participant = { id: user.userId, role: 'personal_account' };
  const company: Participant = { id: business.openId, role: 'business_account' };
  const incoming = message.from === 'user';
  const content: MessageEventContent = {
    conversation_id: message.conversationId,
    message_id: message.messageId,
    timestamp: message.timestamp,
    ...eventBlock(message),
    from: incoming ? user.username : business.username,
    to: incoming ? business.username : user.username,
    from_user: incoming ? person : company,
    to_user: incoming ? company : person,
    ...(incoming ? {} : { message_tag: { source: businessSource } }),
  };
  const event = incoming ? 'im_receive_msg' : 'im_send_msg';
  const body = JSON.stringify({
    client_key: config.appId,
    event,
    create_time: Math.floor(message.timestamp / 1000),
    user_openid: business.openId,
    // TikTok sends the content as a JSON string inside the JSON body, to be parsed twice.
    content: JSON.stringify(content),
  });
  return { event, messageId: message.messageId, body };
}
