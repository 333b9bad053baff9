/**
 * The one port a host helpdesk implements. Every method must be idempotent: TikTok redelivers
 * webhooks and the library retries, so the same call can arrive more than once.
 */

export const TIKTOK_HELPDESK_PORT = Symbol('TIKTOK_HELPDESK_PORT');

export type TiktokAccountStatus = 'active' | 'reauthorization_required' | 'disconnected';

/** What the host may know about a connected account. Never carries a token. */
export interface TiktokAccountView {
  /** The library's id of the account row. */
  accountId: string;
  /** TikTok's open_id for the business. */
  businessId: string;
  username: string;
  displayName: string;
  profileImageUrl?: string;
  status: TiktokAccountStatus;
  scopes: string[];
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
}

export type AttachmentKind = 'image' | 'video' | 'sticker' | 'emoji' | 'share_post' | 'other';

export interface MessageAttachment {
  kind: AttachmentKind;
  url?: string;
  mimeType?: string;
  tiktokMediaId?: string;
}

/** A message the TikTok user wrote. */
export interface InboundMessage {
  direction: 'incoming';
  inboxId: string;
  conversationId: string;
  contactId: string;
  tiktokMessageId: string;
  content: string;
  attachments: MessageAttachment[];
  sentAt: Date;
}

/**
 * A message the business sent from outside the host (typed in the TikTok app or by another tool),
 * learnt from TikTok's `im_send_msg` echo. Echoes of the host's own sends never reach the port.
 */
export interface EchoMessage {
  direction: 'outgoing';
  inboxId: string;
  conversationId: string;
  tiktokMessageId: string;
  content: string;
  attachments: MessageAttachment[];
  sentAt: Date;
}

export type FailureReason =
  | 'first_contact_required'
  | 'reply_window_expired'
  | 'messaging_limit'
  | 'rate_limited'
  | 'reauthorization_required'
  | 'invalid_content'
  | 'unsupported_media'
  | 'tiktok_unavailable'
  | 'unknown';

export interface TiktokHelpdeskPort {
  upsertInbox(a: {
    tenant: string;
    account: TiktokAccountView;
    inboxId?: string;
  }): Promise<{ inboxId: string }>;
  upsertContact(c: {
    inboxId: string;
    tiktokUserId: string;
    username?: string;
    displayName?: string;
    avatarUrl?: string;
  }): Promise<{ contactId: string }>;
  openConversation(c: {
    inboxId: string;
    contactId: string;
    tiktokConversationId: string;
  }): Promise<{ conversationId: string; isNew: boolean }>;
  /** Keyed by the TikTok message id: a second call with the same id returns the first message. */
  appendMessage(m: InboundMessage | EchoMessage): Promise<{ messageId: string; created: boolean }>;
  updateMessageStatus(s: {
    messageId: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    reason?: FailureReason;
    tiktokMessageId?: string;
    at: Date;
  }): Promise<void>;
  onAccountStatus(s: {
    inboxId: string;
    status: TiktokAccountStatus;
    reason?: string;
  }): Promise<void>;
}
