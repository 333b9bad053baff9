import { get, post } from './e2e-harness';

export interface InboxDto {
  id: string;
  name: string;
  channel: {
    type: 'tiktok';
    businessId: string;
    username: string;
    status: string;
    accessTokenExpiresAt: string;
    refreshTokenExpiresAt: string;
    displayName: string | null;
    profileImageUrl: string | null;
    profileRefreshedAt: string | null;
  };
}

export interface ConversationDto {
  id: string;
  inboxId: string;
  status: string;
  contact: {
    id: string;
    name: string;
    username: string;
    tiktokUserId: string;
    avatarUrl: string | null;
  };
  lastMessageAt: string;
  preview: string | null;
  unreadCount: number;
  csat: { rating: number; ratedAt: string } | null;
  csatAwaiting: boolean;
}

export interface MessageDto {
  id: string;
  direction: 'incoming' | 'outgoing';
  content: string;
  attachments: Array<{ kind: string; url: string | null; mimeType: string | null }>;
  status: string;
  failureReason: string | null;
  externalId: string | null;
  sentAt: string;
  author: { kind: string; userId: string | null; name: string | null } | null;
  sentFrom: string | null;
}

/** The demo helpdesk's REST API, typed for tests. */
export class HelpdeskClient {
  constructor(private readonly url: string) {}

  inboxes() {
    return get<InboxDto[]>(`${this.url}/api/inboxes`);
  }

  conversations(inboxId: string) {
    return get<ConversationDto[]>(
      `${this.url}/api/conversations?inboxId=${encodeURIComponent(inboxId)}`,
    );
  }

  messages(conversationId: string) {
    return get<MessageDto[]>(`${this.url}/api/conversations/${conversationId}/messages`);
  }

  reply(conversationId: string, content: string) {
    return post<MessageDto>(`${this.url}/api/conversations/${conversationId}/messages`, {
      content,
    });
  }
}
