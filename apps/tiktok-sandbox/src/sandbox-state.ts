import { newId } from './ids';

export type AccountType = 'business' | 'personal';

/** A TikTok account that went through the consent page: what the client calls a business. */
export interface Account {
  openId: string;
  username: string;
  displayName: string;
  accountType: AccountType;
  /** False once the app's authorization is revoked: TikTok then stops sending its events. */
  connected: boolean;
}

/** A TikTok person who writes to businesses. */
export interface TikTokUser {
  userId: string;
  username: string;
  displayName: string;
  /** In the EEA, Switzerland or the UK: TikTok then sends only the stripped im_receive_msg_eu. */
  eea?: boolean;
}

/**
 * What a person sees in the conversation. The business sends texts, images and shared posts
 * through the API; a person can also send videos, stickers, emoji, template (button) replies, and
 * types the sandbox does not know (any other string, as TikTok adds types).
 */
export type StoredMessageType =
  | 'text'
  | 'image'
  | 'video'
  | 'sticker'
  | 'emoji'
  | 'share_post'
  | 'template'
  | (string & NonNullable<unknown>);

/** A template card: what a button reply answers, or a card TikTok's auto-messages send. */
export interface TemplateCard {
  type: string;
  title: string;
  buttons: { text: string; type: string; id: string }[];
}

/** The parts of a person's message that only some types carry. */
export interface InboundDetails {
  /** A sticker's or an emoji's URL (TikTok's CDN; here the sandbox's). */
  url?: string;
  /** A share_post's embed_url is left out when false (TikTok sometimes sends only video_id). */
  withEmbedUrl?: boolean;
  template?: TemplateCard;
  /** A button tapped on a card: `reply_source_payload` of the reply. */
  replySourcePayload?: string;
  /** The block of a type the sandbox does not know, sent as `{ [type]: payload }`. */
  payload?: unknown;
  /** `is_follower`: whether the person follows the business (sent only when set). */
  isFollower?: boolean;
  /** `auto_message_type`: a message TikTok's auto-messages sent (a welcome message…). */
  autoMessageType?: string;
}

export interface StoredMessage {
  messageId: string;
  conversationId: string;
  from: 'user' | 'business';
  type: StoredMessageType;
  /** The body of a text; empty for other types. */
  text: string;
  /** An IMAGE's uploaded media (its bytes are in `SandboxState.media`). */
  mediaId?: string;
  /** A SHARE_POST's post. */
  itemId?: string;
  /** The message a quote reply answers. */
  referencedMessageId?: string;
  /** What only some of a person's message types carry. */
  inbound?: InboundDetails;
  /** Milliseconds, like TikTok's message timestamps. */
  timestamp: number;
  /**
   * The exact webhooks sent for this message (two when both the normal and the EEA event went
   * out), kept so a redelivery can repeat their bytes.
   */
  webhooks?: PreparedWebhook[];
}

export interface PreparedWebhook {
  event: string;
  messageId: string;
  body: string;
}

export interface Conversation {
  conversationId: string;
  businessId: string;
  userId: string;
  messages: StoredMessage[];
}

export interface AuthCode {
  code: string;
  openId: string;
  scopes: string[];
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export interface AccessTokenRecord {
  token: string;
  openId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  openId: string;
  scopes: string[];
  expiresAt: number;
  status: 'active' | 'used' | 'revoked';
}

export interface PendingConsent {
  username: string;
  displayName?: string;
  accountType: AccountType;
  decision: 'approve' | 'deny';
  /** Grant only these of the requested scopes (the person unticked the others); default all. */
  scopes?: string[];
}

/** Lifetimes of the tokens issued from now on, instead of the sandbox options'. */
export interface TokenLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

/** The typed part of a stored message; a plain text unless the business sent something else. */
export type MessageItem = Pick<
  StoredMessage,
  'type' | 'mediaId' | 'itemId' | 'referencedMessageId' | 'inbound'
> & {
  /** A given id (all digits, for a person whose ids go out as JSON numbers); default a fresh one. */
  messageId?: string;
};

export const AUTH_CODE_TTL_MS = 10 * 60 * 1000;

/** Everything TikTok would know, in memory. */
export class SandboxState {
  /** Set once the server listens; profile image URLs point back at the sandbox. */
  baseUrl = '';
  accounts = new Map<string, Account>();
  users = new Map<string, TikTokUser>();
  conversations = new Map<string, Conversation>();
  messages = new Map<string, StoredMessage>();
  authCodes = new Map<string, AuthCode>();
  accessTokens = new Map<string, AccessTokenRecord>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  consentQueue: PendingConsent[] = [];
  /** TikTok keeps one DIRECT_MESSAGE callback per app. */
  callbackUrl: string | undefined;
  /** Other parts' state (media, posts, rate limits) that `POST /sandbox/reset` must clear too. */
  readonly resetHooks: Array<() => void> = [];
  /** How far TikTok's clock is ahead of this machine's (negative: behind). */
  clockOffsetMs = 0;
  tokenLifetimes: TokenLifetimes | undefined;

  /** TikTok's clock: timestamps, expiries, signatures and the Date header all read it. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  reset(): void {
    this.accounts.clear();
    this.users.clear();
    this.conversations.clear();
    this.messages.clear();
    this.authCodes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.consentQueue = [];
    this.callbackUrl = undefined;
    for (const hook of this.resetHooks) hook();
    this.clockOffsetMs = 0;
    this.tokenLifetimes = undefined;
  }

  accountByUsername(username: string): Account | undefined {
    return [...this.accounts.values()].find((account) => account.username === username);
  }

  /**
   * Approving with a known username signs that same account in again, keeping its open_id and
   * its account type (the choice on the page only applies to new accounts).
   */
  approveAccount(username: string, accountType: AccountType, displayName?: string): Account {
    const existing = this.accountByUsername(username);
    if (existing) {
      existing.connected = true;
      return existing;
    }
    const account: Account = {
      openId:
        accountType === 'business'
          ? newId.businessOpenId(username)
          : newId.personalOpenId(username),
      username,
      displayName: displayName ?? username,
      accountType,
      connected: true,
    };
    this.accounts.set(account.openId, account);
    return account;
  }

  createUser(username: string, displayName: string, numericId = false): TikTokUser {
    const existing = [...this.users.values()].find((user) => user.username === username);
    if (existing) return existing;
    const user: TikTokUser = {
      userId: numericId ? newId.numericUser(username) : newId.user(username),
      username,
      displayName,
    };
    this.users.set(user.userId, user);
    return user;
  }

  issueAuthCode(openId: string, scopes: string[], redirectUri: string): AuthCode {
    const code: AuthCode = {
      code: newId.authCode(),
      openId,
      scopes,
      redirectUri,
      expiresAt: this.now() + AUTH_CODE_TTL_MS,
      used: false,
    };
    this.authCodes.set(code.code, code);
    return code;
  }

  issueTokens(
    openId: string,
    scopes: string[],
    ttl: { accessSeconds: number; refreshSeconds: number },
  ): { access: AccessTokenRecord; refresh: RefreshTokenRecord } {
    const now = this.now();
    const access: AccessTokenRecord = {
      token: newId.accessToken(),
      openId,
      scopes,
      expiresAt: now + ttl.accessSeconds * 1000,
      revoked: false,
    };
    const refresh: RefreshTokenRecord = {
      token: newId.refreshToken(),
      openId,
      scopes,
      expiresAt: now + ttl.refreshSeconds * 1000,
      status: 'active',
    };
    this.accessTokens.set(access.token, access);
    this.refreshTokens.set(refresh.token, refresh);
    return { access, refresh };
  }

  revokeAccount(openId: string): void {
    for (const token of this.accessTokens.values()) {
      if (token.openId === openId) token.revoked = true;
    }
    for (const token of this.refreshTokens.values()) {
      if (token.openId === openId) token.status = 'revoked';
    }
    const account = this.accounts.get(openId);
    if (account) account.connected = false;
  }

  expireTokens(openId: string, which: { access: boolean; refresh: boolean }): number {
    const past = this.now() - 1;
    let expired = 0;
    if (which.access) {
      for (const token of this.accessTokens.values()) {
        if (token.openId === openId && token.expiresAt > past) {
          token.expiresAt = past;
          expired++;
        }
      }
    }
    if (which.refresh) {
      for (const token of this.refreshTokens.values()) {
        if (token.openId === openId && token.expiresAt > past) {
          token.expiresAt = past;
          expired++;
        }
      }
    }
    return expired;
  }

  conversationBetween(businessId: string, userId: string): Conversation | undefined {
    return [...this.conversations.values()].find(
      (conversation) => conversation.businessId === businessId && conversation.userId === userId,
    );
  }

  /** Only a person's message opens a conversation: businesses cannot write first. */
  openConversation(businessId: string, userId: string): Conversation {
    const existing = this.conversationBetween(businessId, userId);
    if (existing) return existing;
    const conversation: Conversation = {
      conversationId: newId.conversation(),
      businessId,
      userId,
      messages: [],
    };
    this.conversations.set(conversation.conversationId, conversation);
    return conversation;
  }

  addMessage(
    conversation: Conversation,
    from: StoredMessage['from'],
    text: string,
    timestamp: number = this.now(),
    item: MessageItem = { type: 'text' },
  ): StoredMessage {
    const { messageId, ...typed } = item;
    const message: StoredMessage = {
      messageId: messageId ?? newId.message(),
      conversationId: conversation.conversationId,
      from,
      text,
      timestamp,
      ...typed,
    };
    conversation.messages.push(message);
    conversation.messages.sort((a, b) => a.timestamp - b.timestamp);
    this.messages.set(message.messageId, message);
    return message;
  }

  lastUserMessageAt(conversation: Conversation): number | undefined {
    const fromUser = conversation.messages.filter((message) => message.from === 'user');
    return fromUser.length ? Math.max(...fromUser.map((message) => message.timestamp)) : undefined;
  }
}

/** TikTok usernames: 2 to 24 letters, digits, underscores and periods. */
export function usernameProblem(username: string): string | undefined {
  return /^[A-Za-z0-9_.]{2,24}$/.test(username)
    ? undefined
    : 'A username has 2 to 24 letters, digits, underscores or periods.';
}
