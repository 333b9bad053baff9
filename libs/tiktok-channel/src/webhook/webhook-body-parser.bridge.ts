import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { WebhookIntake } from './webhook-intake.service';
import { readWebhookBody, WebhookBodyTooLargeError } from './webhook-raw-body';

/** What the host's body parser refused before our route ran, that TikTok may still have signed. */
const RECOVERABLE = new Set(['entity.parse.failed', 'charset.unsupported']);

interface BodyParserError {
  type?: unknown;
}

/**
 * The host's JSON body parser runs before any route. A signed body that is not JSON (or is JSON
 * with a charset the parser refuses) would get 400 or 500 there, and be lost once TikTok gives up.
 * This Express error handler takes exactly those failures on the webhook path and hands the raw
 * bytes (kept by `rawBody: true` before parsing) to the same intake as the route. Every other error
 * and every other path goes on to the host's handlers untouched.
 */
@Injectable()
export class WebhookBodyParserBridge implements OnModuleInit {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly intake: WebhookIntake,
  ) {}

  onModuleInit(): void {
    const instance: unknown = this.adapterHost.httpAdapter?.getInstance?.();
    if (typeof (instance as { use?: unknown })?.use !== 'function') return; // not Express
    (instance as { use(handler: unknown): void }).use(
      (error: unknown, req: Request, res: Response, next: NextFunction) => {
        const type = (error as BodyParserError | null)?.type;
        if (
          req.method !== 'POST' ||
          !/\/tiktok\/webhook\/?$/.test(req.path) ||
          typeof type !== 'string' ||
          !RECOVERABLE.has(type)
        ) {
          next(error);
          return;
        }
        this.recover(req, res).catch((failure: unknown) => next(failure));
      },
    );
  }

  private async recover(req: Request, res: Response): Promise<void> {
    let rawBody: Buffer | null;
    try {
      rawBody = await readWebhookBody(
        req,
        this.config.rawBodyProperty,
        this.config.maxWebhookBytes,
      );
    } catch (error) {
      if (!(error instanceof WebhookBodyTooLargeError)) throw error;
      res.status(413).json({ statusCode: 413, message: error.message });
      return;
    }
    if (!rawBody) {
      this.logger.error(
        'TikTok webhook has no raw body: create the Nest app with { rawBody: true }',
      );
      res.status(500).json({ statusCode: 500, message: 'raw body unavailable' });
      return;
    }
    const answer = await this.intake.receive(rawBody, this.header(req));
    res.status(answer.status).json(answer.body);
  }

  private header(req: Request): string | undefined {
    const value = req.headers['tiktok-signature'];
    return Array.isArray(value) ? value[0] : value;
  }
}
