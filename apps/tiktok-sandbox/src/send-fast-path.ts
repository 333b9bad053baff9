import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Response } from 'express';
import { ErrorCode, failure } from './envelope';
import { errorAnswer } from './envelope-error.filter';
import { API_PREFIX, type FaultBook } from './faults';
import type { MessagingController } from './messaging.controller';
import type { SandboxState } from './sandbox-state';
import type { Slowdowns } from './slowdowns';
import type { SandboxStats } from './stats';

export const SEND_PATH = `${API_PREFIX}/business/message/send/`;

/** body-parser's default limit: a larger body takes the framework path, which answers it. */
const MAX_BODY_BYTES = 100 * 1024;

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * `POST business/message/send/` answered without Express and Nest: the call every outbound
 * message makes, where the framework (routing, body parsing, the param decorators, the reply)
 * cost the sandbox more CPU than the send itself. It runs the same controller method and answers
 * the same bytes and headers as the framework path (test/sandbox/send-fast-path.spec.ts compares
 * them). Only a plain call takes it: anything planned for the path (a fault, a fault rate, a
 * latency, a hold), a state file to save, a body that is compressed, chunked (no length), empty or
 * over the limit, or another content type goes through the framework as before.
 */
export class SendFastPath {
  constructor(
    private readonly controller: MessagingController,
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
    private readonly faults: FaultBook,
    private readonly slowdowns: Slowdowns,
  ) {}

  takes(request: IncomingMessage): boolean {
    if (request.method !== 'POST' || request.url !== SEND_PATH) return false;
    const { headers } = request;
    const length = Number(headers['content-length']);
    return (
      JSON_TYPE.test(headers['content-type'] ?? '') &&
      headers['content-encoding'] === undefined &&
      Number.isInteger(length) &&
      length > 0 &&
      length <= MAX_BODY_BYTES &&
      !this.faults.armed(SEND_PATH) &&
      !this.slowdowns.armed(SEND_PATH)
    );
  }

  serve(request: IncomingMessage, response: ServerResponse): void {
    // What the framework's middleware do first: TikTok's clock in `Date`, and the count.
    response.setHeader('X-Powered-By', 'Express');
    response.setHeader('Date', new Date(this.state.now()).toUTCString());
    this.stats.countRequest(SEND_PATH);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => this.answer(request, response, Buffer.concat(chunks)));
  }

  private answer(request: IncomingMessage, response: ServerResponse, raw: Buffer): void {
    let body: unknown;
    try {
      const text = raw.toString('utf8');
      // body-parser's strict mode: only an object or an array is a JSON body (JSON's own
      // whitespace is a subset of what trimStart drops; anything else fails JSON.parse anyway).
      const first = text.trimStart().charAt(0);
      if (first !== '{' && first !== '[') throw new SyntaxError('not a JSON object or array');
      body = JSON.parse(text) as unknown;
    } catch {
      json(
        response,
        200,
        failure(ErrorCode.invalidParameter, 'The request body is not valid JSON.'),
      );
      return;
    }
    let status = 200;
    let answer: unknown;
    try {
      answer = this.controller.send(
        body,
        {
          accessToken: header(request, 'access-token'),
          authorization: header(request, 'authorization'),
        },
        // The controller only listens for the answer leaving, which a ServerResponse announces.
        response as unknown as Response,
      );
    } catch (error) {
      ({ status, body: answer } = errorAnswer(error));
    }
    json(response, status, answer);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Express's `res.status(status).json(body)`: the same headers, weak ETag included. */
function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const length = Buffer.byteLength(text, 'utf8');
  const hash = createHash('sha1').update(text, 'utf8').digest('base64').substring(0, 27);
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', String(length));
  response.setHeader('ETag', `W/"${length.toString(16)}-${hash}"`);
  response.end(text);
}

/** Puts the fast path in front of the framework's request listener on `server`. */
export function installSendFastPath(server: Server, fastPath: SendFastPath): void {
  const framework = server.listeners('request') as Array<
    (request: IncomingMessage, response: ServerResponse) => void
  >;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (fastPath.takes(request)) {
      fastPath.serve(request, response);
      return;
    }
    for (const listener of framework) listener.call(server, request, response);
  });
}
