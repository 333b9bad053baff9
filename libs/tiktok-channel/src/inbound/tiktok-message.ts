import type { EchoMessage } from '../host/helpdesk-port';
import { block, flag, str } from './content-fields';

/**
 * One TikTok message as the handlers use it, whichever shape it came in: webhook (lower-case enums)
 * or REST history (upper-case), ids as numbers or strings, the sender as `from_user` or only as
 * `unique_identifier`.
 */
export interface TiktokMessageView {
  messageId?: string;
  conversationId?: string;
  /** Lower case: `text`, `image`, ... or a type we do not know. */
  type: string;
  senderId?: string;
  senderName?: string;
  recipientId?: string;
  recipientName?: string;
  /** True when the business sent it (typed in the app, or our own send's echo). */
  fromBusiness: boolean;
  replyTo?: string;
  isFollower?: boolean;
  autoMessageType?: string;
  sentFrom: NonNullable<EchoMessage['sentFrom']>;
}

const SOURCES: Record<string, TiktokMessageView['sentFrom']> = {
  APP: 'tiktok_app',
  WEB: 'tiktok_web',
  API: 'api',
};

/**
 * Reads a message. The direction comes from comparing the sender with the business id (the
 * recipient, then the event name, when the sender is not given).
 */
export function readTiktokMessage(
  content: Record<string, unknown>,
  businessId: string,
  eventName: string,
): TiktokMessageView {
  const fromUser = block(content, 'from_user');
  const toUser = block(content, 'to_user');
  const senderId = str(fromUser.id) ?? str(content.unique_identifier);
  const recipientId = str(toUser.id);
  let fromBusiness: boolean;
  if (senderId !== undefined) fromBusiness = senderId === businessId;
  else if (recipientId !== undefined) fromBusiness = recipientId !== businessId;
  else fromBusiness = eventName === 'im_send_msg';

  const source = str(block(content, 'message_tag').source)?.toUpperCase();
  return {
    messageId: str(content.message_id),
    conversationId: str(content.conversation_id),
    type: (str(content.type) ?? '').toLowerCase(),
    senderId,
    senderName: str(content.from),
    recipientId,
    recipientName: str(content.to),
    fromBusiness,
    replyTo: str(block(content, 'referenced_message_info').referenced_message_id),
    isFollower: flag(content.is_follower),
    autoMessageType: str(content.auto_message_type),
    sentFrom: source === undefined ? 'tiktok_app' : (SOURCES[source] ?? 'other'),
  };
}
