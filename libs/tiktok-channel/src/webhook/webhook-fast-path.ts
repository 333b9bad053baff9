import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { findWebhookRoute, type WebhookRouteMatcher } from './webhook-fast-path.routes';
import { WebhookIntake } from './webhook-intake.service';
import { WebhookBodyTooLargeError } from './webhook-raw-body';
import { readRequestBody, WebhookRequestAbortedError } from './webhook-request-body';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `webhookFastPath`: deliveries are taken on the host's HTTP server before Express sees them.
 * Routing, body parsing and Nest's request pipeline cost more CPU than the HMAC and the INSERT
 * a delivery needs; here a delivery costs about what a bare `node:http` server spends. Answers
 * are the controller's, status and body. Anything this path does not claim (another route or
 * method, a `Content-Encoding`) reaches the host's listeners as if this path were not there.
 */
@Injectable()
export class WebhookFastPath implements OnModuleInit {
  private readonly logger = new Logger('TiktokChannel');
  private route: WebhookRouteMatcher | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly intake: WebhookIntake,
  ) {}

  /** Nest has registered its routes with Express by now (before any module's init hook). */
  onModuleInit(): void {
    if (!this.config.webhookFastPath) return;
    const adapter = this.adapterHost.httpAdapter;
    const server = adapter?.getHttpServer?.() as Server | undefined;
    this.route = findWebhookRoute(adapter?.getInstance?.());
    if (!server || typeof server.listeners !== 'function' || !this.route) {
      this.logger.warn(
        'webhookFastPath is on but the webhook route was not found on an Express server: ' +
          'deliveries take the controller path',
      );
      return;
    }
    const host = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.claims(req)) {
        void this.take(req, res);
        return;
      }
      for (const listener of host) listener.call(server, req, res);
    });
  }

  private claims(req: IncomingMessage): boolean {
    if (req.method !== 'POST') return false;
    const encoding = req.headers['content-encoding'];
    // Compressed bodies are the host's to decode (its body parser inflates them); the controller
    // path takes them.
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    const url = req.url ?? '';
    if (!url.startsWith('/')) return false;
    const query = url.indexOf('?');
    return this.route!(query < 0 ? url : url.slice(0, query));
  }

  private async take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      let rawBody: Buffer;
      try {
        rawBody = await readRequestBody(req, this.config.maxWebhookBytes);
      } catch (error) {
        if (!(error instanceof WebhookBodyTooLargeError)) throw error;
        // What Nest's PayloadTooLargeException answers on the controller path.
        reply(res, 413, { message: error.message, error: 'Payload Too Large', statusCode: 413 });
        return;
      }
      const signature = req.headers['tiktok-signature'];
      const answer = await this.intake.receive(
        rawBody,
        Array.isArray(signature) ? signature[0] : signature,
      );
      reply(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof WebhookRequestAbortedError) {
        res.destroy();
        return;
      }
      this.logger.error(`TikTok webhook failed: ${(error as Error).message}`);
      if (!res.headersSent) {
        reply(res, 500, { statusCode: 500, message: 'Internal server error' });
      } else res.destroy();
    }
  }
}

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
