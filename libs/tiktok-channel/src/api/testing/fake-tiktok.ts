import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TiktokApiError } from '../tiktok-api.error';

/**
 * A local node:http server standing in for TikTok in the client's specs: it records every
 * request exactly as it arrived on the wire and answers with whatever the test scripted,
 * including the misbehaviours (stalls, trickles, redirects, oversized bodies) the client must
 * survive. Test-only: excluded from the library build.
 */

export const APP_ID = 'app_demo';
export const APP_SECRET = 'app-secret-9f8e7d6c5b4a';
export const ACCESS_TOKEN = 'act.access-token-0123456789';
export const REFRESH_TOKEN = 'rft.refresh-token-0123456789';
export const BASE_PATH = '/open_api/v1.3/';

export interface CapturedRequest {
  method: string;
  pathname: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  /** The body parsed as JSON when the request declared `application/json`, else undefined. */
  body: unknown;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string | number>;
  json?: unknown;
  text?: string;
  bytes?: Buffer;
  /** Never answer, to exercise the client's timeout. */
  hang?: boolean;
  /** Send status and headers, then nothing: a body that stalls. */
  stallAfterHeaders?: boolean;
  /** Send status and headers, then one byte every this many ms, without end. */
  trickleMs?: number;
  /** Stream this many bytes in 16 KiB chunks, chunked (no Content-Length unless in `headers`). */
  streamBytes?: number;
  /** Send status, headers and this many body bytes, then drop the connection. */
  resetAfterBytes?: number;
}

export interface FakeTiktok {
  /** `http://127.0.0.1:<port>/open_api/v1.3/` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: CapturedRequest[];
  /** Bytes of body the server managed to hand to the socket, per response. */
  bytesSent: number[];
  /** Whether each response's connection was closed by the client before the body was complete. */
  cutOff: boolean[];
  /** Resolves once response `index` has ended, complete or cut off (the request must exist). */
  responseEnded(index: number): Promise<void>;
  reply(next: FakeReply | ((request: CapturedRequest) => FakeReply)): void;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(16 * 1024, 0x61);

export async function startFakeTiktok(): Promise<FakeTiktok> {
  const requests: CapturedRequest[] = [];
  const bytesSent: number[] = [];
  const cutOff: boolean[] = [];
  const ended: Array<{ promise: Promise<void>; resolve: () => void }> = [];
  const endedAt = (index: number) => {
    while (ended.length <= index) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      ended.push({ promise, resolve });
    }
    return ended[index];
  };
  let next: FakeReply | ((request: CapturedRequest) => FakeReply) = ok({});
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
      const captured: CapturedRequest = {
        method: req.method ?? '',
        pathname: url.pathname,
        rawQuery: url.search,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body: isJson && rawBody.length > 0 ? JSON.parse(rawBody.toString('utf8')) : undefined,
      };
      requests.push(captured);
      const index = bytesSent.push(0) - 1;
      cutOff.push(false);
      respond(typeof next === 'function' ? next(captured) : next, res, (sent, complete) => {
        bytesSent[index] = sent;
        cutOff[index] = !complete;
        endedAt(index).resolve();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}${BASE_PATH}`,
    origin,
    requests,
    bytesSent,
    cutOff,
    responseEnded: (index) => endedAt(index).promise,
    reply: (reply) => {
      next = reply;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(
  reply: FakeReply,
  res: http.ServerResponse,
  report: (sent: number, complete: boolean) => void,
): void {
  if (reply.hang) return;
  const status = reply.status ?? 200;
  if (reply.stallAfterHeaders || reply.trickleMs !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
    res.write('{"code":0,');
    if (reply.trickleMs !== undefined) {
      const timer = setInterval(() => res.write(' '), reply.trickleMs);
      res.on('close', () => clearInterval(timer));
    }
    return;
  }
  if (reply.resetAfterBytes !== undefined) {
    res.writeHead(status, { 'content-type': 'image/jpeg', ...reply.headers });
    res.write(CHUNK.subarray(0, reply.resetAfterBytes), () => res.socket?.destroy());
    return;
  }
  if (reply.streamBytes !== undefined) {
    streamBody(reply.streamBytes, status, reply.headers ?? {}, res, report);
    return;
  }
  const body =
    reply.bytes ??
    Buffer.from(reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
  res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
  res.end(body);
  report(body.length, true);
}

/** Writes with backpressure, so what it counts is roughly what the client let through. */
function streamBody(
  total: number,
  status: number,
  headers: Record<string, string | number>,
  res: http.ServerResponse,
  report: (sent: number, complete: boolean) => void,
): void {
  res.writeHead(status, { 'content-type': 'image/jpeg', ...headers });
  let sent = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
    report(sent, sent >= total && res.writableFinished);
  });
  const pump = (): void => {
    while (!closed && sent < total) {
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!closed) res.end();
  };
  pump();
}

export function ok(data: unknown): FakeReply {
  return { json: { code: 0, message: 'OK', request_id: 'req-ok', data } };
}

export function refused(code: number, message = 'refused'): FakeReply {
  return { json: { code, message, request_id: 'req-refused', data: {} } };
}

export async function failureOf(promise: Promise<unknown>): Promise<TiktokApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TiktokApiError) return error;
    throw error;
  }
  throw new Error('Expected the call to fail');
}
