export interface DeliveryAttemptRecord {
  event: string;
  messageId: string;
  attempt: number;
  /** The HTTP status, or "network_error" when no answer came back. */
  status: string;
  at: string;
}

export interface StatsSnapshot {
  /** Successful operations, one per code-0 answer. */
  tokenExchanges: number;
  refreshes: number;
  revokes: number;
  sends: number;
  profileReads: number;
  webhookDeliveries: {
    /** Every POST to the callback, retries included. */
    attempts: number;
    /** Attempts answered 2xx. */
    succeeded: number;
    /** Attempts answered otherwise, or not at all. */
    failed: number;
    /** Deliveries given up after the last attempt. */
    abandoned: number;
    /** Deliveries still waiting for a 2xx. */
    pending: number;
    byStatus: Record<string, number>;
    recent: DeliveryAttemptRecord[];
  };
  /** Every request by path, failures and faults included (control routes excepted). */
  requests: Record<string, number>;
  /** Successful refreshes per business: a rotation done twice shows up here as a 2. */
  refreshesByBusiness: Record<string, number>;
  /** Calls refused with 40100 by the per-business rate limit (injected faults not included). */
  rateLimited: number;
  rateLimitedByBusiness: Record<string, number>;
  /** Accepted sends per message_type (TEXT, IMAGE, SHARE_POST, SENDER_ACTION). */
  sendsByType: Record<string, number>;
  /** Successful media/upload calls. */
  uploads: number;
  /** Successful revokes per business. */
  revokesByBusiness: Record<string, number>;
  /**
   * media/download: `urls` handed out; download URL fetches `served` (bytes sent, whether or not
   * the client read them all) and `refused` (unknown, expired, or a missing or wrong x-user).
   */
  mediaDownloads: { urls: number; served: number; refused: number };
}

const RECENT_ATTEMPTS_KEPT = 100;

export type OperationCounter =
  'tokenExchanges' | 'refreshes' | 'revokes' | 'sends' | 'profileReads' | 'uploads';

export class SandboxStats {
  private snapshotData: StatsSnapshot = SandboxStats.empty();

  private static empty(): StatsSnapshot {
    return {
      tokenExchanges: 0,
      refreshes: 0,
      revokes: 0,
      sends: 0,
      profileReads: 0,
      webhookDeliveries: {
        attempts: 0,
        succeeded: 0,
        failed: 0,
        abandoned: 0,
        pending: 0,
        byStatus: {},
        recent: [],
      },
      requests: {},
      refreshesByBusiness: {},
      rateLimited: 0,
      rateLimitedByBusiness: {},
      sendsByType: {},
      uploads: 0,
      revokesByBusiness: {},
      mediaDownloads: { urls: 0, served: 0, refused: 0 },
    };
  }

  reset(): void {
    this.snapshotData = SandboxStats.empty();
  }

  countRequest(path: string): void {
    this.snapshotData.requests[path] = (this.snapshotData.requests[path] ?? 0) + 1;
  }

  countOperation(counter: OperationCounter): void {
    this.snapshotData[counter]++;
  }

  countRefresh(businessId: string): void {
    this.snapshotData.refreshes++;
    const byBusiness = this.snapshotData.refreshesByBusiness;
    byBusiness[businessId] = (byBusiness[businessId] ?? 0) + 1;
  }

  countRateLimited(businessId: string): void {
    this.snapshotData.rateLimited++;
    const byBusiness = this.snapshotData.rateLimitedByBusiness;
    byBusiness[businessId] = (byBusiness[businessId] ?? 0) + 1;
  }

  countSendType(messageType: string): void {
    const byType = this.snapshotData.sendsByType;
    byType[messageType] = (byType[messageType] ?? 0) + 1;
  }

  countRevoke(businessId: string): void {
    this.snapshotData.revokes++;
    const byBusiness = this.snapshotData.revokesByBusiness;
    byBusiness[businessId] = (byBusiness[businessId] ?? 0) + 1;
  }

  countMediaDownload(outcome: 'urls' | 'served' | 'refused'): void {
    this.snapshotData.mediaDownloads[outcome]++;
  }

  deliveryStarted(): void {
    this.snapshotData.webhookDeliveries.pending++;
  }

  deliveryFinished(outcome: 'succeeded' | 'abandoned'): void {
    const deliveries = this.snapshotData.webhookDeliveries;
    deliveries.pending = Math.max(0, deliveries.pending - 1);
    if (outcome === 'abandoned') deliveries.abandoned++;
  }

  attemptFinished(record: Omit<DeliveryAttemptRecord, 'at'>, succeeded: boolean): void {
    const deliveries = this.snapshotData.webhookDeliveries;
    deliveries.attempts++;
    if (succeeded) deliveries.succeeded++;
    else deliveries.failed++;
    deliveries.byStatus[record.status] = (deliveries.byStatus[record.status] ?? 0) + 1;
    deliveries.recent.push({ ...record, at: new Date().toISOString() });
    if (deliveries.recent.length > RECENT_ATTEMPTS_KEPT) deliveries.recent.shift();
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.snapshotData);
  }
}
