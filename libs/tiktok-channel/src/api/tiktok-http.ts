import axios, {
  isAxiosError,
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
} from 'axios';
import { Readable, Transform } from 'node:stream';
import { keepAliveAdapter } from './node-http-adapter';
import { TiktokApiError } from './tiktok-api.error';
import type { TiktokErrorClass } from './tiktok-api.types';

export type HttpMethod = 'GET' | 'POST';

export interface TiktokHttpRequest {
  method: HttpMethod;
  /** Absolute and complete, query included. It may carry the app secret: never put it in an error. */
  url: URL;
  /** What errors name instead of the URL: a path relative to the API base, never a query. */
  endpoint: string;
  headers: Record<string, string>;
  body?: string | FormData;
  timeoutMs: number;
}

export interface TiktokHttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface TiktokHttpStream {
  status: number;
  headers: Record<string, string>;
  /**
   * The body, still under the request's deadline and the byte cap. It only ever fails with a
   * `TiktokApiError`; destroying it releases the connection.
   */
  body: Readable;
}

export interface ByteCap {
  maxBytes: number;
  /** The error the body fails with once more than `maxBytes` arrived. */
  exceeded: () => TiktokApiError;
}

/**
 * The only place that talks to axios. Whatever axios throws is turned into a `TiktokApiError`
 * here, because an `AxiosError` carries the request config: the URL (with the webhook secret in
 * its query) and the headers (with the `Access-Token`).
 */
export class TiktokHttp {
  private readonly axios: AxiosInstance;
  /**
   * Our kept-alive adapter on our own instance; a host's instance keeps axios's http adapter,
   * whose behaviour (and whatever the host set around it) is what the host chose.
   */
  private readonly adapter: AxiosAdapter | 'http';

  constructor(instance?: AxiosInstance) {
    this.axios = instance ?? axios.create();
    this.adapter = instance ? 'http' : keepAliveAdapter();
  }

  /** Resolves with any HTTP status; rejects only when no complete response arrived in time. */
  async send(request: TiktokHttpRequest): Promise<TiktokHttpResponse> {
    const deadline = new Deadline(request.timeoutMs);
    try {
      const response = await this.axios.request<unknown>({
        ...requestConfig(request, deadline.signal, this.adapter),
        responseType: 'arraybuffer',
        decompress: true,
      });
      return {
        status: response.status,
        headers: plainHeaders(response.headers),
        body: toBuffer(response.data),
      };
    } catch (error) {
      throw transportError(error, request, deadline.expired);
    } finally {
      deadline.clear();
    }
  }

  /**
   * Resolves once the headers are in, with the body as a stream. The deadline keeps running until
   * the body ends or is destroyed, so a slow or stalled body fails the stream, not the promise.
   */
  async open(request: TiktokHttpRequest, cap: ByteCap): Promise<TiktokHttpStream> {
    const deadline = new Deadline(request.timeoutMs);
    let response: AxiosResponse<unknown>;
    try {
      response = await this.axios.request<unknown>({
        ...requestConfig(request, deadline.signal, this.adapter),
        responseType: 'stream',
        // Counted bytes are the bytes the consumer gets; the caller asks for no encoding.
        decompress: false,
      });
    } catch (error) {
      deadline.clear();
      throw transportError(error, request, deadline.expired);
    }
    const source = response.data;
    if (!(source instanceof Readable)) {
      deadline.clear();
      throw new TiktokApiError({
        errorClass: 'bug',
        endpoint: request.endpoint,
        message: `The HTTP client gave no stream for ${request.endpoint}; is an interceptor reading it?`,
      });
    }
    return {
      status: response.status,
      headers: plainHeaders(response.headers),
      body: guardedBody(source, request, deadline, cap),
    };
  }
}

/**
 * What the consumer reads: the source's bytes up to the cap, failing with a `TiktokApiError` on
 * the cap, the deadline or a broken connection. Whichever way it ends, the source is destroyed
 * and the deadline cleared, so no socket outlives it.
 */
function guardedBody(
  source: Readable,
  request: TiktokHttpRequest,
  deadline: Deadline,
  cap: ByteCap,
): Readable {
  let received = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > cap.maxBytes) {
        callback(cap.exceeded());
        return;
      }
      callback(null, chunk);
    },
  });
  const fail = (error: TiktokApiError): void => {
    if (!body.destroyed) body.destroy(error);
  };
  // The source's own errors may be AxiosErrors carrying the request config.
  source.on('error', (error) => fail(transportError(error, request, deadline.expired)));
  deadline.onExpire(() => fail(timeoutError(request)));
  body.on('close', () => {
    deadline.clear();
    source.destroy();
  });
  source.pipe(body);
  return body;
}

/**
 * Everything the client relies on is set per request, because an instance's defaults (and
 * axios's global defaults, which `axios.create()` copies) belong to the host and may differ.
 */
function requestConfig(
  request: TiktokHttpRequest,
  signal: AbortSignal,
  adapter: AxiosAdapter | 'http',
): AxiosRequestConfig {
  return {
    url: request.url.href,
    // An instance `baseURL` must not be prefixed to our absolute URL.
    allowAbsoluteUrls: true,
    method: request.method,
    headers: request.headers,
    data: request.body,
    // The query is already in the URL, encoded by URLSearchParams (`+` as %2B); axios's own
    // encoder leaves `,` `:` `[` `]` raw, and instance `params` must not be appended.
    paramsSerializer: { serialize: () => '' },
    // Redirects, timeouts and streaming below are the Node http adapter's behaviour (ours keeps
    // it); the fetch adapter would follow a redirect with the Access-Token.
    adapter,
    timeout: request.timeoutMs,
    signal,
    // A followed redirect would carry the Access-Token (or x-user) to whatever host it names.
    maxRedirects: 0,
    // Statuses are classified by the client, together with the envelope.
    validateStatus: () => true,
    proxy: false,
    // Bodies go out as we serialised them and come back as raw bytes that we parse.
    transformRequest: [],
    transformResponse: [],
    transitional: { silentJSONParsing: true, forcedJSONParsing: false, clarifyTimeoutError: true },
    maxContentLength: -1,
    maxBodyLength: -1,
  };
}

/**
 * One timer for the whole exchange, up to the last byte. axios's own `timeout` is a socket idle
 * timer, so a server that trickles a byte now and then would never trip it.
 */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly listeners: Array<() => void> = [];
  expired = false;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      for (const listener of this.listeners) listener();
      this.controller.abort();
    }, timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  onExpire(listener: () => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Codes of axios errors that mean our request could never work, rather than a network hiccup. */
const CONFIGURATION_CODES = new Set([
  'ERR_BAD_OPTION',
  'ERR_BAD_OPTION_VALUE',
  'ERR_NOT_SUPPORT',
  'ERR_INVALID_URL',
]);

/**
 * Codes that mean the request never reached the server (no connection was made), so repeating it
 * cannot do anything twice. Any other failure after sending started leaves the outcome unknown.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Built from codes and names only: messages of lower layers may quote the URL or the headers. */
export function transportError(
  error: unknown,
  request: Pick<TiktokHttpRequest, 'endpoint' | 'timeoutMs'>,
  timedOut: boolean,
): TiktokApiError {
  if (error instanceof TiktokApiError) return error;
  const code = errorCode(error);
  if (timedOut || code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return timeoutError(request);
  }
  const configuration = code !== undefined && CONFIGURATION_CODES.has(code);
  const errorClass: TiktokErrorClass = configuration ? 'bug' : 'transient';
  const reason = code ?? (error instanceof Error ? error.name : 'unknown error');
  return new TiktokApiError({
    errorClass,
    endpoint: request.endpoint,
    outcomeUnknown: !configuration && !(code !== undefined && NOT_SENT_CODES.has(code)),
    message: `TikTok request to ${request.endpoint} failed before a response (${reason})`,
  });
}

export function timeoutError(
  request: Pick<TiktokHttpRequest, 'endpoint' | 'timeoutMs'>,
): TiktokApiError {
  return new TiktokApiError({
    errorClass: 'transient',
    endpoint: request.endpoint,
    // The request may have been read and carried out; only its answer is missing.
    outcomeUnknown: true,
    message: `TikTok request to ${request.endpoint} timed out after ${request.timeoutMs} ms`,
  });
}

/** Only something shaped like a code (`ECONNREFUSED`, `ERR_BAD_OPTION`) is ever quoted. */
function errorCode(error: unknown): string | undefined {
  const candidates: unknown[] = [];
  if (isAxiosError(error)) candidates.push(error.code, error.cause);
  else if (error instanceof Error) candidates.push(error.cause, error);
  for (const candidate of candidates) {
    const code =
      typeof candidate === 'string'
        ? candidate
        : candidate instanceof Error
          ? (candidate as NodeJS.ErrnoException).code
          : undefined;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
  }
  return undefined;
}

function plainHeaders(headers: unknown): Record<string, string> {
  const plain: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return plain;
  const source =
    'toJSON' in headers && typeof headers.toJSON === 'function'
      ? (headers.toJSON as () => unknown)()
      : headers;
  if (typeof source !== 'object' || source === null) return plain;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string' || typeof value === 'number') {
      plain[name.toLowerCase()] = String(value);
    } else if (Array.isArray(value)) {
      plain[name.toLowerCase()] = value.map(String).join(', ');
    }
  }
  return plain;
}

/** A host's response interceptor may already have decoded the bytes; take them back as bytes. */
function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.alloc(0);
}
