import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Sockets per callback origin: enough for a burst of echoes, few enough not to flood the app. */
export const MAX_SOCKETS_PER_ORIGIN = 64;

/**
 * An idle socket is dropped after this long: below Node's default server keep-alive (5 s), so the
 * app never closes one under a request we are about to write.
 */
const IDLE_SOCKET_MS = 4_000;

/**
 * Posts webhook bodies over kept-alive connections. `fetch` opened a connection per webhook in
 * effect and cost the sandbox more CPU per echo than the send that caused it; node:http with one
 * agent per scheme reuses sockets across webhooks.
 */
export class WebhookPoster {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  /** Requests on the wire; destroying one (a deadline, `abortAll`) ends it as no answer. */
  private readonly inFlight = new Map<ClientRequest, () => void>();

  constructor(maxSocketsPerOrigin = MAX_SOCKETS_PER_ORIGIN) {
    const options = { keepAlive: true, maxSockets: maxSocketsPerOrigin, timeout: IDLE_SOCKET_MS };
    this.httpAgent = new HttpAgent(options);
    this.httpsAgent = new HttpsAgent(options);
  }

  /**
   * The HTTP status as a string, or "network_error" for no answer (refused, reset, timed out,
   * aborted). Redirects are not followed: a 3xx is the answer.
   */
  async post(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<string> {
    const first = await this.once(url, headers, body, timeoutMs);
    // The app may close an idle socket just as we write to it; that is no answer from the app,
    // so one more try on a fresh connection (TikTok redelivers anyway, and the app dedupes).
    if (first === RESET_ON_REUSED_SOCKET) return this.once(url, headers, body, timeoutMs);
    return first;
  }

  /** Aborts every request on the wire; they answer "network_error". */
  abortAll(): void {
    for (const abort of this.inFlight.values()) abort();
  }

  close(): void {
    this.abortAll();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private once(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<string> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve('network_error');
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        resolve('network_error');
        return;
      }
      const payload = Buffer.from(body, 'utf8');
      const request = (secure ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'Content-Length': String(payload.length) },
      });
      let settled = false;
      let status: string | undefined;
      let stopped = false;
      const stop = (): void => {
        stopped = true;
        request.destroy();
      };
      this.inFlight.set(request, stop);
      const finish = (outcome: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(request);
        resolve(outcome);
      };
      // One deadline for the exchange with the app, from the moment a connection is ours: time
      // spent queued behind our own socket cap is the sandbox's doing, not the app being slow
      // (fetch had no cap). Counting it made a burst of echoes time out in the queue and come back
      // as retries, more work for an app already behind.
      let timer: NodeJS.Timeout | undefined;
      request.once('socket', () => {
        if (!settled) timer = setTimeout(stop, timeoutMs);
      });
      request.on('response', (response) => {
        // Read to the end so the socket goes back to the pool; only a complete answer counts.
        response.resume();
        response.on('end', () => {
          if (response.complete) status = String(response.statusCode ?? 0);
          finish(status ?? 'network_error');
        });
        response.on('error', () => finish('network_error'));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // Only a reset of a reused socket, never one we caused (a deadline, abortAll).
        const staleSocket = !stopped && request.reusedSocket && error.code === 'ECONNRESET';
        finish(staleSocket ? RESET_ON_REUSED_SOCKET : 'network_error');
      });
      request.on('close', () => finish(status ?? 'network_error'));
      request.end(payload);
    });
  }
}

const RESET_ON_REUSED_SOCKET = 'reset_on_reused_socket';
