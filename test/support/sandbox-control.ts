import { get, post } from './e2e-harness';

/** The sandbox's control API, typed for tests. */
export class SandboxControl {
  constructor(private readonly url: string) {}

  async queueConsent(
    username: string,
    accountType: 'business' | 'personal',
    decision: 'approve' | 'deny',
    scopes?: string[],
  ) {
    const { status } = await post(`${this.url}/sandbox/consent`, {
      username,
      accountType,
      decision,
      ...(scopes ? { scopes } : {}),
    });
    if (status >= 300) throw new Error(`queueing consent failed: HTTP ${status}`);
  }

  async createUser(username: string, displayName: string): Promise<string> {
    const { body } = await post<{ userId: string }>(`${this.url}/sandbox/users`, {
      username,
      displayName,
    });
    return body.userId;
  }

  /** `timestamp` (ms): when TikTok says the customer wrote it, e.g. days ago for a late delivery. */
  async sendAsUser(
    fromUserId: string,
    toBusinessId: string,
    text: string,
    options: { timestamp?: number } = {},
  ) {
    const { status, body } = await post<{ conversationId: string; messageId: string }>(
      `${this.url}/sandbox/messages`,
      {
        fromUserId,
        toBusinessId,
        type: 'text',
        text,
        ...options,
      },
    );
    if (status >= 300)
      throw new Error(`sandbox message failed: HTTP ${status} ${JSON.stringify(body)}`);
    return body;
  }

  /** The business answers in the TikTok app itself: the helpdesk learns of it from the echo. */
  async businessWritesInApp(conversationId: string, text: string) {
    const { status, body } = await post<{ messageId: string }>(
      `${this.url}/sandbox/business-messages`,
      { conversationId, text },
    );
    if (status >= 300)
      throw new Error(`sandbox business message failed: HTTP ${status} ${JSON.stringify(body)}`);
    return body;
  }

  conversation(conversationId: string) {
    return get<
      Array<{
        messageId: string;
        from: 'user' | 'business';
        type: string;
        text: string;
        timestamp: number;
      }>
    >(`${this.url}/sandbox/conversations/${encodeURIComponent(conversationId)}/messages`);
  }

  stats() {
    return get<{
      tokenExchanges: number;
      refreshes: number;
      revokes: number;
      revokesByBusiness: Record<string, number>;
      profileReads: number;
      sends: number;
      webhookDeliveries: {
        attempts: number;
        succeeded: number;
        failed: number;
        byStatus: Record<string, number>;
      };
    }>(`${this.url}/sandbox/stats`);
  }
}

export interface SandboxFault {
  path: string;
  code?: number;
  httpStatus?: number;
  times: number;
}

/** Fault injection and clock control: separate from the happy-path calls above for readability. */
export class SandboxFaults {
  constructor(private readonly url: string) {}

  async plan(fault: SandboxFault): Promise<void> {
    const { status } = await post(`${this.url}/sandbox/faults`, fault);
    if (status >= 300) throw new Error(`planning a fault failed: HTTP ${status}`);
  }

  async expireAccessTokens(businessId: string): Promise<void> {
    const { status } = await post(`${this.url}/sandbox/tokens/expire`, { businessId });
    if (status >= 300) throw new Error(`expiring tokens failed: HTTP ${status}`);
  }

  /** TikTok's clock runs this far ahead of ours (negative: behind). */
  async setClockOffset(offsetSeconds: number): Promise<void> {
    await this.ok('/sandbox/clock', { offsetSeconds });
  }

  /** Lifetimes of the tokens TikTok issues from now on (`{}`: back to the defaults). */
  async setTokenLifetimes(lifetimes: { accessSeconds?: number; refreshSeconds?: number }) {
    await this.ok('/sandbox/token-lifetimes', lifetimes);
  }

  /** The person changed the app's permissions at TikTok. */
  async setGrantedScopes(businessId: string, scopes: string[]): Promise<void> {
    await this.ok('/sandbox/grants/scopes', { businessId, scopes });
  }

  async setAccountType(businessId: string, accountType: 'business' | 'personal'): Promise<void> {
    await this.ok('/sandbox/accounts/type', { businessId, accountType });
  }

  /** Holds the next `count` calls of a path until `release`; resolves once they are all waiting. */
  async hold(path: string, count: number): Promise<void> {
    await this.ok('/sandbox/holds', { path, count });
  }

  async waiting(path: string): Promise<number> {
    return (await get<Record<string, number>>(`${this.url}/sandbox/holds`))[path] ?? 0;
  }

  async release(path: string): Promise<void> {
    await this.ok('/sandbox/holds/release', { path });
  }

  private async ok(path: string, body: unknown): Promise<void> {
    const { status, body: answer } = await post(`${this.url}${path}`, body);
    if (status >= 300) throw new Error(`${path} failed: HTTP ${status} ${JSON.stringify(answer)}`);
  }
}
