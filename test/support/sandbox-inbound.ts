import { post } from './e2e-harness';

/** How the sandbox puts one event on the wire (its `wire` option); every field optional. */
export interface WireShape {
  casing?: 'webhook' | 'rest';
  content?: 'string' | 'object';
  ids?: 'string' | 'number';
  timestamps?: 'ms' | 's';
  sender?: 'from_user' | 'unique_identifier' | 'both';
  toUser?: boolean;
}

export interface SandboxMessage {
  conversationId: string;
  messageId: string;
  events: string[];
  mediaId?: string;
  url?: string;
}

export interface SandboxEvent {
  conversationId: string;
  eventId: string;
  event: string;
}

/** The TikTok people's side of the sandbox's control API: every inbound type, in any wire shape. */
export class SandboxInbound {
  constructor(private readonly url: string) {}

  async createUser(
    username: string,
    options: { numericId?: boolean; eea?: boolean } = {},
  ): Promise<string> {
    const { body } = await this.ok<{ userId: string }>('/sandbox/users', {
      username,
      displayName: username,
      ...options,
    });
    return body.userId;
  }

  /** `POST /sandbox/messages`: `type` and its fields (`text`, `media`, `videoId`, ...). */
  async send(message: {
    fromUserId: string;
    toBusinessId: string;
    type: string;
    wire?: WireShape;
    [field: string]: unknown;
  }): Promise<SandboxMessage> {
    return (await this.ok<SandboxMessage>('/sandbox/messages', message)).body;
  }

  async react(reaction: {
    messageId: string;
    operation?: 'ADD' | 'REMOVE';
    emoji?: string;
    wire?: WireShape;
  }): Promise<SandboxEvent> {
    return (await this.ok<SandboxEvent>('/sandbox/reactions', reaction)).body;
  }

  async refer(referral: {
    fromUserId: string;
    toBusinessId: string;
    source?: 'ad' | 'short_link';
    adId?: string;
    adName?: string;
    wire?: WireShape;
  }): Promise<SandboxEvent> {
    return (await this.ok<SandboxEvent>('/sandbox/referrals', referral)).body;
  }

  private async ok<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const answer = await post<T>(`${this.url}${path}`, body);
    if (answer.status >= 300) {
      throw new Error(`sandbox ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer;
  }
}
