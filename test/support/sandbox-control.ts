import { get, post } from './e2e-harness';

/** The sandbox's control API, typed for tests. */
export class SandboxControl {
  constructor(private readonly url: string) {}

  async queueConsent(
    username: string,
    accountType: 'business' | 'personal',
    decision: 'approve' | 'deny',
  ) {
    const { status } = await post(`${this.url}/sandbox/consent`, {
      username,
      accountType,
      decision,
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

  async sendAsUser(fromUserId: string, toBusinessId: string, text: string) {
    const { status, body } = await post<{ conversationId: string; messageId: string }>(
      `${this.url}/sandbox/messages`,
      {
        fromUserId,
        toBusinessId,
        type: 'text',
        text,
      },
    );
    if (status >= 300)
      throw new Error(`sandbox message failed: HTTP ${status} ${JSON.stringify(body)}`);
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
}
