import { get, post, withSavedCredentials } from './e2e-harness';

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
  attachments: Array<{
    kind: string;
    url: string | null;
    mimeType: string | null;
    contentType?: string | null;
    size?: number | null;
    fileName?: string | null;
    videoId?: string | null;
    unavailableReason?: string | null;
  }>;
  status: string;
  failureReason: string | null;
  externalId: string | null;
  sentAt: string;
  tiktokType?: string | null;
  reactions?: Array<{ emoji: string; by: 'customer' | 'business'; at: string }>;
  replyTo?: { externalId: string; messageId: string | null; content: string | null } | null;
  author: { kind: string; userId: string | null; name: string | null } | null;
  sentFrom: string | null;
}

export interface NoteDto {
  id: string;
  kind: string;
  text: string;
  data: Record<string, string | number | boolean | null> | null;
  at: string;
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

  notes(conversationId: string) {
    return get<NoteDto[]>(`${this.url}/api/conversations/${conversationId}/notes`);
  }

  /** The bytes behind an attachment's `url` (relative to the helpdesk, or absolute). */
  async attachment(
    url: string,
  ): Promise<{ status: number; contentType: string | null; bytes: Buffer }> {
    const target = new URL(url, this.url).href;
    const response = await fetch(target, { headers: withSavedCredentials(target, new Headers()) });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  reply(conversationId: string, content: string) {
    return post<MessageDto>(`${this.url}/api/conversations/${conversationId}/messages`, {
      content,
    });
  }
}
