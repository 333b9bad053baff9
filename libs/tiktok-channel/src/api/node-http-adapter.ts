import axios, {
  AxiosError,
  CanceledError,
  getAdapter,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  type RawAxiosResponseHeaders,
} from 'axios';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** Connections kept per TikTok host: one business's sends are spaced, many businesses are not. */
const MAX_SOCKETS_PER_HOST = 64;

/**
 * An idle connection is closed after this long: below Node's default server keep-alive (5 s),
 * so the server never closes one under a request we are about to write.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * An axios adapter for the channel's own JSON calls: node:http(s) over kept-alive connections,
 * nothing else. axios's http adapter (follow-redirects, stream plumbing, progress events, a
 * fresh connection per call) cost about twice the CPU per TikTok call, which the outbound
 * sender pays for every message. Anything but a string body answered as bytes (uploads, streamed
 * downloads) goes to axios's http adapter unchanged.
 *
 * What the client relies on is kept: no redirect is followed, `timeout` is a socket idle timer
 * answering ETIMEDOUT, `signal` aborts, the body comes back as a Buffer (decompressed if the
 * server compressed it anyway), and errors are AxiosErrors with the socket's code, which
 * `TiktokHttp` turns into `TiktokApiError`s before anything sees them.
 */
export function keepAliveAdapter(): AxiosAdapter {
  const fallback = getAdapter('http');
  const httpAgent = new HttpAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_HOST,
    timeout: IDLE_SOCKET_MS,
  });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_HOST,
    timeout: IDLE_SOCKET_MS,
  });
  return (config) => {
    const data: unknown = config.data;
    // Only what TiktokHttp.send asks for; every status counts as an answer there.
    const lean =
      config.responseType === 'arraybuffer' &&
      (data === undefined || data === null || typeof data === 'string') &&
      (config.maxRedirects ?? 0) === 0 &&
      config.proxy === false;
    if (!lean) return fallback(config);
    return send(config, data ?? undefined, httpAgent, httpsAgent);
  };
}

function send(
  config: InternalAxiosRequestConfig,
  body: string | undefined,
  httpAgent: HttpAgent,
  httpsAgent: HttpsAgent,
): Promise<AxiosResponse<Buffer>> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(config.url ?? '');
    } catch (error) {
      reject(AxiosError.from(error, AxiosError.ERR_INVALID_URL, config));
      return;
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      reject(new AxiosError('Unsupported protocol', AxiosError.ERR_BAD_REQUEST, config));
      return;
    }
    const signal = config.signal as AbortSignal | undefined;
    if (signal?.aborted) {
      reject(new CanceledError(undefined, config));
      return;
    }
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const headers = outgoingHeaders(config.headers, payload);

    let settled = false;
    const fail = (error: AxiosError): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new CanceledError(undefined, config));

    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: (config.method ?? 'get').toUpperCase(),
      agent: secure ? httpsAgent : httpAgent,
      headers,
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (config.timeout) {
      request.setTimeout(config.timeout, () =>
        fail(new AxiosError('timeout exceeded', AxiosError.ETIMEDOUT, config)),
      );
    }
    request.on('error', (error: NodeJS.ErrnoException) =>
      fail(AxiosError.from(error, error.code, config)),
    );
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error: NodeJS.ErrnoException) =>
        fail(AxiosError.from(error, error.code, config)),
      );
      response.on('aborted', () =>
        fail(new AxiosError('response aborted', AxiosError.ECONNABORTED, config)),
      );
      response.on('end', () => {
        if (settled) return;
        let data: Buffer;
        try {
          data = decoded(response, Buffer.concat(chunks));
        } catch (error) {
          fail(AxiosError.from(error, AxiosError.ERR_BAD_RESPONSE, config));
          return;
        }
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        const answer: AxiosResponse<Buffer> = {
          data,
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          // Node's lower-cased plain object: TiktokHttp reads it as is.
          headers: response.headers as RawAxiosResponseHeaders,
          config,
          request,
        };
        // Every status is an answer: TiktokHttp classifies statuses with the envelope.
        resolve(answer);
      });
    });
    request.end(payload);
  });
}

/** The request's headers as Node wants them; the body's length set from the bytes sent. */
function outgoingHeaders(
  source: InternalAxiosRequestConfig['headers'],
  payload: Buffer | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  let userAgent = false;
  for (const [name, value] of Object.entries(source.toJSON())) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') continue;
    if (lower === 'user-agent') userAgent = true;
    if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  // What axios's http adapter sends, so the wire looks the same whichever adapter ran.
  if (!userAgent) headers['User-Agent'] = `axios/${axios.VERSION}`;
  if (payload !== undefined) headers['Content-Length'] = String(payload.length);
  return headers;
}

/** No encoding is asked for; a server that compresses anyway is still understood. */
function decoded(response: IncomingMessage, body: Buffer): Buffer {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (body.length === 0 || encoding === '' || encoding === 'identity') return body;
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}
