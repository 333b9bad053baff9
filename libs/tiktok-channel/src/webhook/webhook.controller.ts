import {
  Controller,
  Headers,
  HttpCode,
  HttpException,
  InternalServerErrorException,
  Logger,
  PayloadTooLargeException,
  Post,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { WebhookIntake } from './webhook-intake.service';
import { WebhookRoute } from './webhook-fast-path.routes';
import { readWebhookBody, WebhookBodyTooLargeError } from './webhook-raw-body';

/**
 * TikTok's DIRECT_MESSAGE callback. Any content type is accepted: the signature covers the raw
 * bytes, and those are what is stored. See `WebhookIntake` for the answers.
 */
@Controller('tiktok/webhook')
export class TiktokWebhookController {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly intake: WebhookIntake,
  ) {}

  @Post()
  @HttpCode(200)
  @WebhookRoute()
  async receive(
    @Req() req: Request,
    @Headers('tiktok-signature') signature: string | undefined,
  ): Promise<object> {
    let rawBody: Buffer | null;
    try {
      rawBody = await readWebhookBody(
        req,
        this.config.rawBodyProperty,
        this.config.maxWebhookBytes,
      );
    } catch (error) {
      if (error instanceof WebhookBodyTooLargeError)
        throw new PayloadTooLargeException(error.message);
      throw error;
    }
    if (!rawBody) {
      // Without the raw bytes no signature can be checked: a host set-up error, not TikTok's.
      this.logger.error(
        'TikTok webhook has no raw body: create the Nest app with { rawBody: true }',
      );
      throw new InternalServerErrorException('raw body unavailable');
    }
    const answer = await this.intake.receive(rawBody, signature);
    if (answer.status !== 200) throw new HttpException(answer.body, answer.status);
    return answer.body;
  }
}
