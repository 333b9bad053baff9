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
  /**
   * Where the bytes can be viewed: the host's own URL when `storeAttachment` kept them, TikTok's
   * (expiring) URL for stickers and emoji, the post's link for `share_post`.
   */
  url?: string;
  /** Kept for hosts written against the first port; equals `contentType` when both are set. */
  mimeType?: string;
  tiktokMediaId?: string;
  /** The media type of the stored bytes (`image/jpeg`, `video/mp4`, ...). */
  contentType?: string;
  /** Bytes actually stored. */
  size?: number;
  fileName?: string;
  /** `share_post`: TikTok's id of the shared video, when TikTok gave one. */
  videoId?: string;
  /** Why the bytes are not there (download refused, over the byte cap, host keeps no files). */
  unavailableReason?: string;
}

/**
 * The bytes of one inbound attachment, offered to the host to keep in its own storage (disk, S3).
 * `body` is a stream: pipe it, do not buffer it. It errors (and the library retries the whole
 * event later) if TikTok's download fails or runs over `maxBytes`. Keyed by
 * (`tiktokMessageId`, `index`): a second call for the same key may overwrite or return the first.
 */
export interface InboundAttachmentUpload {
  inboxId: string;
  conversationId: string;
  tiktokMessageId: string;
  /** Position of this attachment in the message's `attachments`. */
  index: number;
  kind: 'image' | 'video' | 'sticker' | 'emoji';
  contentType: string;
  fileName: string;
  /** The size TikTok announced (Content-Length), when it announced one. */
  declaredSize?: number;
  maxBytes: number;
  body: NodeJS.ReadableStream;
}

/** A customer's (or the business's) reaction to one message, applied as an update, never a message. */
export interface MessageReaction {
  inboxId: string;
  conversationId: string;
  /** The TikTok id of the message reacted to. */
  tiktokMessageId: string;
  by: 'customer' | 'business';
  operation: 'add' | 'remove';
  emoji: string;
  at: Date;
}

/** A line in the conversation that is neither the customer's nor an agent's message. */
export interface ConversationNote {
  inboxId: string;
  conversationId: string;
  /** Idempotency key: a second note with the same key is the first one again. */
  key: string;
  kind:
    /** `im_referral_msg`: the ad, post or tiktok.me link that brought the customer. */
    | 'referral'
    /** TikTok's history (20 latest messages) may have dropped messages we never received. */
    | 'history_gap'
    /** An event failed for good and was set aside; later events of the conversation went on. */
    | 'event_parked';
  text: string;
  data?: Record<string, string | number | boolean | null>;
  at: Date;
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
  /** TikTok's message type, lower case (`text`, `image`, `reaction`, ... or one we do not know). */
  tiktokType?: string;
  /** The message this one quotes (`referenced_message_info`). */
  replyTo?: { tiktokMessageId: string };
  /** Whether the customer follows the business, when TikTok says. */
  isFollower?: boolean;
  /** TikTok's `auto_message_type`, when the message was sent by TikTok's automation. */
  autoMessageType?: string;
  /** For a type the library does not know: the raw content, so nothing is lost. */
  raw?: Record<string, unknown>;
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
  /** Where it was typed: `tiktok_app` unless TikTok's `message_tag.source` says otherwise. */
  sentFrom?: 'tiktok_app' | 'tiktok_web' | 'api' | 'other';
  tiktokType?: string;
  replyTo?: { tiktokMessageId: string };
}

/**
 * Why a message (or one of its parts) was not sent. The messenger pairs each with a sentence
 * (`detail`) an agent can act on.
 */
export type FailureReason =
  /** The customer never wrote: a business cannot start a TikTok conversation. */
  | 'first_contact_required'
  /** The 48-hour window after the customer's last message lapsed, and so did its allowance. */
  | 'reply_window_expired'
  /** The conversation already got the messages TikTok allows until the customer writes again. */
  | 'message_cap_reached'
  /** TikTok refused with 40064: window, caps, daily limit or sending too fast (it does not say which). */
  | 'messaging_limit'
  | 'rate_limited'
  | 'reauthorization_required'
  | 'invalid_content'
  | 'unsupported_media'
  /** TikTok says this customer cannot receive images (image sending is region-limited). */
  | 'image_not_supported'
  /** A video with neither a TikTok post of the business nor a public URL: TikTok takes no video files. */
  | 'video_not_supported'
  /** An attachment larger than `maxAttachmentBytes`. */
  | 'attachment_too_large'
  | 'tiktok_unavailable'
  /** TikTok's answer was lost and the message could not be found in its history: it may have arrived. */
  | 'delivery_unconfirmed'
  /** Not sent because an earlier part of the same message failed (retrying sends both, in order). */
  | 'earlier_part_failed'
  | 'unknown';

/** What one TikTok message of a host message carries. */
export type OutboundPartKind = 'text' | 'image' | 'share_post' | 'link';

/**
 * One TikTok message of a host message: text and each attachment travel separately, long text is
 * split. `pending` covers waiting, sending and reconciling.
 */
export interface OutboundPartStatus {
  index: number;
  kind: OutboundPartKind;
  /** The host's attachment (index in `attachments`) this part carries; absent for text. */
  attachmentIndex?: number;
  status: 'pending' | 'sent' | 'failed' | 'read';
  tiktokMessageId?: string;
  reason?: FailureReason;
  detail?: string;
}

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
  /**
   * Optional: many messages at once (one statement, say), with the same result as calling
   * `appendMessage` for each in this order: messages of one conversation keep the given order,
   * and the answer has one entry per message, in the same order. The library gathers the plain
   * messages of a run into one call. When it throws, the library appends the same messages one
   * at a time, so a message the host refuses holds back only its own conversation's later events.
   */
  appendMessages?(
    messages: Array<InboundMessage | EchoMessage>,
  ): Promise<Array<{ messageId: string; created: boolean }>>;
  /**
   * A host message's status: `pending` (delivery goes on in the background), then `sent` or
   * `failed`; later `read`. Reports may repeat, and a `pending` may arrive after the final one in a
   * race: keep statuses moving forward only.
   */
  updateMessageStatus(s: {
    messageId: string;
    status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
    reason?: FailureReason;
    /** The sentence for the agent, with `reason`. */
    detail?: string;
    /** The first part's TikTok id (kept for hosts that store one id per message). */
    tiktokMessageId?: string;
    /** Every part's TikTok id, in order, once sent. */
    tiktokMessageIds?: string[];
    /** Each TikTok message of the host message, with its own status and reason. */
    parts?: OutboundPartStatus[];
    at: Date;
  }): Promise<void>;
  onAccountStatus(s: {
    inboxId: string;
    status: TiktokAccountStatus;
    reason?: string;
  }): Promise<void>;
  /**
   * Optional: keep an inbound attachment's bytes. Without it, images and videos reach the host
   * with `unavailableReason` and TikTok's media id, and no bytes are downloaded.
   */
  storeAttachment?(a: InboundAttachmentUpload): Promise<{ url: string; size: number }>;
  /**
   * Optional: apply a reaction to the message it targets. `applied: false` when the host does not
   * know that message. Without it reactions are only published as events.
   */
  applyReaction?(r: MessageReaction): Promise<{ applied: boolean }>;
  /** Optional: show a note in the conversation (referral, history gap, parked event). */
  appendNote?(n: ConversationNote): Promise<void>;
}
