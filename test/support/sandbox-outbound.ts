import { get, post } from './e2e-harness';

export interface PersonViewItem {
  messageId: string;
  from: 'user' | 'business';
  type: 'text' | 'image' | 'share_post' | string;
  text: string;
  timestamp: number;
  mediaId?: string;
  itemId?: string;
  referencedMessageId?: string;
}

/** The sandbox's outbound control routes, typed for tests. */
export class SandboxOutbound {
  constructor(private readonly url: string) {}

  view(conversationId: string): Promise<PersonViewItem[]> {
    return get<PersonViewItem[]>(
      `${this.url}/sandbox/conversations/${encodeURIComponent(conversationId)}/messages`,
    );
  }

  /** What the business sent, as the person sees it. */
  async fromBusiness(conversationId: string): Promise<PersonViewItem[]> {
    return (await this.view(conversationId)).filter((item) => item.from === 'business');
  }

  async media(mediaId: string): Promise<{ contentType: string; bytes: Buffer }> {
    const response = await fetch(`${this.url}/sandbox/media/${encodeURIComponent(mediaId)}`);
    if (!response.ok) throw new Error(`media ${mediaId}: HTTP ${response.status}`);
    return {
      contentType: response.headers.get('content-type') ?? '',
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  senderActions(conversationId: string): Promise<Array<{ action: string; at: number }>> {
    return get(
      `${this.url}/sandbox/conversations/${encodeURIComponent(conversationId)}/sender-actions`,
    );
  }

  async setImageSend(userId: string, imageSend: boolean): Promise<void> {
    await this.ok(`/sandbox/users/${encodeURIComponent(userId)}/capabilities`, { imageSend });
  }

  async addVideo(businessId: string): Promise<{ itemId: string; shareUrl: string }> {
    return this.ok('/sandbox/videos', { businessId });
  }

  async faultRates(rates: {
    path: string;
    http5xx?: number;
    timeoutAfterAccept?: number;
    resetAfterAccept?: number;
  }): Promise<void> {
    await this.ok('/sandbox/fault-rates', rates);
  }

  async fault(fault: {
    path: string;
    times?: number;
    code?: number;
    httpStatus?: number;
    afterAccept?: 'timeout' | 'reset';
  }): Promise<void> {
    await this.ok('/sandbox/faults', { times: 1, ...fault });
  }

  async setLatency(path: string, ms: number): Promise<void> {
    await this.ok('/sandbox/latency', { path, ms });
  }

  async hold(path: string, count?: number): Promise<void> {
    await this.ok('/sandbox/holds', { path, ...(count ? { count } : {}) });
  }

  async release(path: string): Promise<void> {
    await this.ok('/sandbox/holds/release', { path });
  }

  holds(): Promise<Record<string, number>> {
    return get(`${this.url}/sandbox/holds`);
  }

  injected(): Promise<Record<string, number>> {
    return get(`${this.url}/sandbox/faults/injected`);
  }

  async setRateLimit(perSecond: number): Promise<void> {
    await this.ok('/sandbox/rate-limit', { perSecond });
  }

  stats(): Promise<{
    sends: number;
    uploads: number;
    refreshes: number;
    rateLimited: number;
    rateLimitedByBusiness: Record<string, number>;
    sendsByType: Record<string, number>;
    requests: Record<string, number>;
  }> {
    return get(`${this.url}/sandbox/stats`);
  }

  /** Requests that could have delivered something to a person: sends and uploads. */
  async deliveryRequests(): Promise<number> {
    const { requests } = await this.stats();
    return (
      (requests['/open_api/v1.3/business/message/send/'] ?? 0) +
      (requests['/open_api/v1.3/business/message/media/upload/'] ?? 0)
    );
  }

  private async ok<T>(path: string, body: unknown): Promise<T> {
    const { status, body: answer } = await post<T>(`${this.url}${path}`, body);
    if (status >= 300) throw new Error(`${path}: HTTP ${status} ${JSON.stringify(answer)}`);
    return answer;
  }
}
