import { ErrorCode, TikTokApiError } from './envelope';
import { SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * TikTok's throttle of about 10 requests per second per business across the messaging endpoints,
 * answered with code 40100 (HTTP 200, no Retry-After). A token bucket holding one second of
 * requests: a client that spaces its calls evenly is never refused, a client that fires a burst
 * larger than that, or that runs faster than the rate, is.
 */
export class RateLimits {
  private buckets = new Map<string, Bucket>();

  constructor(
    private perSecond: number,
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
  ) {
    state.resetHooks.push(() => this.buckets.clear());
  }

  /** Requests per second per business; 0 turns the limit off. */
  get rate(): number {
    return this.perSecond;
  }

  setRate(perSecond: number): void {
    this.perSecond = perSecond;
    this.buckets.clear();
  }

  /** Spends one request of the business's budget, or refuses the call with 40100. */
  take(businessId: string): void {
    if (this.perSecond <= 0) return;
    const now = this.state.now();
    const bucket = this.buckets.get(businessId) ?? { tokens: this.perSecond, at: now };
    bucket.tokens = Math.min(
      this.perSecond,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    bucket.at = now;
    this.buckets.set(businessId, bucket);
    if (bucket.tokens < 1) {
      this.stats.countRateLimited(businessId);
      throw new TikTokApiError(ErrorCode.tooManyRequests);
    }
    bucket.tokens -= 1;
  }
}
