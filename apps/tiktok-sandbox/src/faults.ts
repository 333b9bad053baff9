import { defaultMessage } from './envelope';

export const API_PREFIX = '/open_api/v1.3';

export interface Fault {
  /** Answer HTTP 200 with this envelope code... */
  code?: number;
  /** ...or this bare HTTP status, like a proxy in front of TikTok would. */
  httpStatus?: number;
  message: string;
  remaining: number;
}

/** Planned failures for the next calls to a Business API path. */
export class FaultBook {
  private faults = new Map<string, Fault>();

  /** Accepts "/business/message/send/" as well as the full "/open_api/v1.3/..." path. */
  static normalizePath(path: string): string {
    const relative = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
    return relative.startsWith('/') ? relative : `/${relative}`;
  }

  plan(
    path: string,
    fault: { code?: number; httpStatus?: number; message?: string; times: number },
  ): void {
    this.faults.set(FaultBook.normalizePath(path), {
      code: fault.code,
      httpStatus: fault.httpStatus,
      message:
        fault.message ?? (fault.code !== undefined ? defaultMessage(fault.code) : 'Injected fault'),
      remaining: fault.times,
    });
  }

  /** The fault to answer with for this call, consuming one of its planned occurrences. */
  take(apiPath: string): Fault | undefined {
    const key = FaultBook.normalizePath(apiPath);
    const fault = this.faults.get(key);
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.delete(key);
    return fault;
  }

  reset(): void {
    this.faults.clear();
  }
}
