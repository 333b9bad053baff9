import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { InjectHelpdeskAuthConfig, type HelpdeskAuthConfig } from './helpdesk-auth.config';

/** How many failed sign-ins are tolerated, and for how long they are remembered. */
export interface SignInThrottleSettings {
  /** Failures for one email from one address before that pair must wait. Default 5. */
  maxFailures: number;
  /** Failures from one address, whatever the emails, before it must wait. Default 50. */
  maxFailuresPerAddress: number;
  /** How long a failure counts, in seconds. Default 900 (15 minutes). */
  windowSeconds: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleSettings = {
  maxFailures: 5,
  maxFailuresPerAddress: 50,
  windowSeconds: 900,
};

/** Keys remembered at most: a flood of made-up emails cannot grow the process without bound. */
const MAX_KEYS = 10_000;

/** Answered instead of checking a password while a caller must wait: 429 with Retry-After. */
export class TooManySignInsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Too many failed sign-ins: try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Slows password guessing, for the page's form and for HTTP Basic alike: after `maxFailures`
 * wrong passwords for one email from one address (or `maxFailuresPerAddress` from one address),
 * that caller gets 429 without a password check until the oldest failure ages out. The check comes
 * before scrypt, so a flood of guesses costs no CPU. A success clears its email's count from that
 * address only, so knowing one password does not reset a guessing run on another account. Kept in
 * memory: per process, which is what one demo helpdesk runs.
 */
@Injectable()
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly settings: SignInThrottleSettings;
  private readonly now: () => number;

  constructor(@InjectHelpdeskAuthConfig() config: HelpdeskAuthConfig) {
    this.settings = { ...DEFAULT_SIGN_IN_THROTTLE, ...config.signInThrottle };
    this.now = config.clock ?? Date.now;
  }

  /**
   * Throws `TooManySignInsException` when this caller must wait before trying again, with the
   * answer's `Retry-After` header set.
   */
  assertMayTry(email: string, req: Request): void {
    const address = callerAddress(req);
    const wait = Math.max(
      this.waitSeconds(pairKey(email, address), this.settings.maxFailures),
      this.waitSeconds(addressKey(address), this.settings.maxFailuresPerAddress),
    );
    if (wait <= 0) return;
    req.res?.setHeader('Retry-After', String(wait));
    throw new TooManySignInsException(wait);
  }

  failed(email: string, req: Request): void {
    const address = callerAddress(req);
    this.record(pairKey(email, address));
    this.record(addressKey(address));
  }

  succeeded(email: string, req: Request): void {
    this.failures.delete(pairKey(email, callerAddress(req)));
  }

  private waitSeconds(key: string, limit: number): number {
    const recent = this.recent(key);
    if (recent.length < limit) return 0;
    // Waits until enough failures have aged out to allow one more try.
    const freedAt = recent[recent.length - limit] + this.settings.windowSeconds * 1000;
    return Math.max(1, Math.ceil((freedAt - this.now()) / 1000));
  }

  private recent(key: string): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const since = this.now() - this.settings.windowSeconds * 1000;
    const kept = times.filter((at) => at > since);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== times.length) this.failures.set(key, kept);
    return kept;
  }

  private record(key: string): void {
    const times = this.recent(key);
    if (times.length === 0 && this.failures.size >= MAX_KEYS) {
      // The oldest key first: Maps keep insertion order.
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    // Only the last failures matter for the wait: the list stays short.
    const limit = Math.max(this.settings.maxFailures, this.settings.maxFailuresPerAddress);
    this.failures.set(key, [...times, this.now()].slice(-limit));
  }
}

/** The peer's address (Express's `req.ip` follows the host's `trust proxy` setting, if any). */
function callerAddress(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

function pairKey(email: string, address: string): string {
  return `pair\u0000${address}\u0000${email.trim().toLowerCase()}`;
}

function addressKey(address: string): string {
  return `address\u0000${address}`;
}
