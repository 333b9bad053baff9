import { defaultMessage } from './envelope';

export const API_PREFIX = '/open_api/v1.3';

/**
 * How the answer of a call that was carried out gets lost: the connection is reset right away, or
 * nothing comes back until the client gives up (its timeout) — both after TikTok accepted the call.
 */
export type AfterAcceptFault = 'timeout' | 'reset';

export interface Fault {
  /** Answer HTTP 200 with this envelope code... */
  code?: number;
  /** ...or this bare HTTP status, like a proxy in front of TikTok would... */
  httpStatus?: number;
  /** ...or carry the call out and lose its answer. */
  afterAccept?: AfterAcceptFault;
  message: string;
  remaining: number;
}

/** Chances, each from 0 to 1, that a call of a path fails in one of these ways. */
export interface FaultRates {
  /** A bare HTTP 500/502/503/504 before anything is done. */
  http5xx: number;
  /** The call is carried out, then its answer never arrives. */
  timeoutAfterAccept: number;
  /** The call is carried out, then the connection is reset. */
  resetAfterAccept: number;
}

const HTTP_5XX = [500, 502, 503, 504];

/** Planned failures for the next calls to a Business API path, and random ones at set rates. */
export class FaultBook {
  private faults = new Map<string, Fault>();
  private rates = new Map<string, FaultRates>();
  private injected: Record<string, number> = {};

  /** Accepts "/business/message/send/" as well as the full "/open_api/v1.3/..." path. */
  static normalizePath(path: string): string {
    const relative = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
    return relative.startsWith('/') ? relative : `/${relative}`;
  }

  plan(
    path: string,
    fault: {
      code?: number;
      httpStatus?: number;
      afterAccept?: AfterAcceptFault;
      message?: string;
      times: number;
    },
  ): void {
    this.faults.set(FaultBook.normalizePath(path), {
      code: fault.code,
      httpStatus: fault.httpStatus,
      afterAccept: fault.afterAccept,
      message:
        fault.message ?? (fault.code !== undefined ? defaultMessage(fault.code) : 'Injected fault'),
      remaining: fault.times,
    });
  }

  /** Every later call of the path rolls for these faults (all zero clears them). */
  setRates(path: string, rates: FaultRates): void {
    const key = FaultBook.normalizePath(path);
    if (rates.http5xx + rates.timeoutAfterAccept + rates.resetAfterAccept === 0) {
      this.rates.delete(key);
    } else {
      this.rates.set(key, rates);
    }
  }

  /** The fault to answer with for this call: a planned one first, else a roll of the rates. */
  take(apiPath: string): Fault | undefined {
    const key = FaultBook.normalizePath(apiPath);
    const fault = this.faults.get(key) ?? this.roll(key);
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0 && this.faults.get(key) === fault) this.faults.delete(key);
    const kind = fault.afterAccept
      ? `${fault.afterAccept}AfterAccept`
      : fault.httpStatus !== undefined
        ? `http${fault.httpStatus}`
        : `code${fault.code}`;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return fault;
  }

  /** Whether a planned fault or a fault rate is set for the path. */
  armed(apiPath: string): boolean {
    const key = FaultBook.normalizePath(apiPath);
    return this.faults.has(key) || this.rates.has(key);
  }

  /** How many faults of each kind were injected since the last reset, e.g. `{ http503: 4 }`. */
  injectedCounts(): Record<string, number> {
    return { ...this.injected };
  }

  reset(): void {
    this.faults.clear();
    this.rates.clear();
    this.injected = {};
  }

  private roll(key: string): Fault | undefined {
    const rates = this.rates.get(key);
    if (!rates) return undefined;
    const dice = Math.random();
    if (dice < rates.http5xx) {
      const httpStatus = HTTP_5XX[Math.floor(Math.random() * HTTP_5XX.length)];
      return { httpStatus, message: 'Injected fault', remaining: 1 };
    }
    if (dice < rates.http5xx + rates.timeoutAfterAccept) {
      return { afterAccept: 'timeout', message: 'Injected fault', remaining: 1 };
    }
    if (dice < rates.http5xx + rates.timeoutAfterAccept + rates.resetAfterAccept) {
      return { afterAccept: 'reset', message: 'Injected fault', remaining: 1 };
    }
    return undefined;
  }
}
