import type {
  FailureReason,
  MessageReaction,
  OutboundPartStatus,
  TiktokAccountView,
} from './helpdesk-port';

/**
 * Events for the host's automation (`@nestjs/event-emitter`). They are emitted after the library's
 * own state is committed, so a listener that answers through the messenger sees consistent data.
 */
export const TiktokEvents = {
  AccountConnected: 'tiktok.account.connected',
  AccountReauthorizationRequired: 'tiktok.account.reauthorization_required',
  RefreshTokenExpiring: 'tiktok.account.refresh_token_expiring',
  AccountDisconnected: 'tiktok.account.disconnected',
  RefreshFailing: 'tiktok.account.refresh_failing',
  RefreshRecovered: 'tiktok.account.refresh_recovered',
  ConversationOpened: 'tiktok.conversation.opened',
  MessageReceived: 'tiktok.message.received',
  /** A send goes on in the background (throttling, an outage, an answer to reconcile). */
  MessagePending: 'tiktok.message.pending',
  MessageSent: 'tiktok.message.sent',
  MessageFailed: 'tiktok.message.failed',
  MessageRead: 'tiktok.message.read',
  /** A reaction was added to or removed from a message (never a new message). */
  MessageReaction: 'tiktok.message.reaction',
  /** The customer came from an ad, a post or a tiktok.me link (`im_referral_msg`). */
  ConversationReferral: 'tiktok.conversation.referral',
  /** An inbound event failed every attempt and was set aside; later events went on. */
  InboundEventParked: 'tiktok.inbound.event_parked',
} as const;

export interface AccountConnectedEvent {
  inboxId: string;
  tenant: string;
  account: TiktokAccountView;
  reconnected: boolean;
}

export interface AccountReauthorizationRequiredEvent {
  inboxId: string;
  accountId: string;
  reason: string;
}

/** How TikTok's grant fared when the account was disconnected. */
export type TiktokRevocation = 'revoked' | 'already_invalid' | 'failed';

export interface AccountDisconnectedEvent {
  inboxId: string;
  accountId: string;
  tenant: string;
  reason: string;
  /** `failed`: TikTok could not be reached; the person may remove the app in TikTok's settings. */
  revocation: TiktokRevocation;
}

export interface RefreshTokenExpiringEvent {
  inboxId: string;
  accountId: string;
  refreshTokenExpiresAt: Date;
}

/**
 * Refreshing the account's access token has failed `refreshFailureWarningThreshold` times in a
 * row (published once per run of failures). The account is still active and the library keeps
 * retrying with backoff; once the access token lapses, TikTok calls for it fail until a refresh
 * works again. Usually TikTok or the network between (a proxy, a firewall, a wrong base URL).
 */
export interface RefreshFailingEvent {
  inboxId: string;
  accountId: string;
  consecutiveFailures: number;
  /** When the first failure of this run happened. */
  failingSince: Date;
  /** The last failure in words: TikTok code or HTTP status and message, never a token. */
  lastError: string;
}

/** A refresh worked again after the host was warned with `tiktok.account.refresh_failing`. */
export interface RefreshRecoveredEvent {
  inboxId: string;
  accountId: string;
  /** How many refreshes in a row had failed before this one worked. */
  failedAttempts: number;
}

export interface ConversationOpenedEvent {
  inboxId: string;
  conversationId: string;
  contactId: string;
  tiktokConversationId: string;
}

export interface MessageReceivedEvent {
  inboxId: string;
  conversationId: string;
  contactId: string;
  messageId: string;
  tiktokMessageId: string;
  content: string;
  /** True when this is the first message of a conversation the host had not seen. */
  firstInConversation: boolean;
}

export interface MessagePendingEvent {
  inboxId: string;
  conversationId: string;
  messageId: string;
  parts: OutboundPartStatus[];
}

export interface MessageSentEvent {
  inboxId: string;
  conversationId: string;
  messageId: string;
  tiktokMessageIds: string[];
  /** Absent only for messages sent before parts were tracked. */
  parts?: OutboundPartStatus[];
}

export interface MessageFailedEvent {
  inboxId: string;
  conversationId: string;
  messageId: string;
  reason: FailureReason;
  detail: string;
  /** Absent when the send was refused before anything was recorded (a rule). */
  parts?: OutboundPartStatus[];
}

export interface MessageReadEvent {
  inboxId: string;
  conversationId: string;
  readAt: Date;
}

/** `applied`: the host's `applyReaction` found the message (false without that method). */
export interface MessageReactionEvent extends MessageReaction {
  applied: boolean;
}

export interface ConversationReferralEvent {
  inboxId: string;
  conversationId: string;
  tiktokConversationId: string;
  /** TikTok's referral fields as sent (ad id, post id, source, link, ...). */
  referral: Record<string, string | number | boolean | null>;
  at: Date;
}

export interface InboundEventParkedEvent {
  /** The library's id of the stored webhook (`tiktok_webhook_events.id`). */
  eventId: string;
  event: string;
  businessId: string;
  tiktokConversationId: string | null;
  tiktokMessageId: string | null;
  /** Null when the conversation never reached the host. */
  inboxId: string | null;
  conversationId: string | null;
  error: string;
}
