import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { returnUrlFor } from './connect-result';
import { readOauthCallbackQuery } from './oauth-callback.query';
import { TiktokConnectService } from './tiktok-connect.service';

@Controller('tiktok/oauth')
export class TiktokOauthController {
  constructor(
    private readonly connect: TiktokConnectService,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  /** Sends the person to TikTok's consent page. The host's resolver decides who may, and for what. */
  @Get('authorize')
  async authorize(@Req() req: Request, @Res() res: Response): Promise<void> {
    const context = await this.config.resolveConnectContext(req);
    res.redirect(302, await this.connect.authorizeUrl(context));
  }

  /** TikTok's redirect back. Every outcome ends on the host's page with a reason, never an error page. */
  @Get('callback')
  async callback(@Query() raw: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const read = readOauthCallbackQuery(raw);
    const result = read.ok
      ? await this.connect.complete(read.query)
      : this.connect.rejectMalformed(read.problems);
    res.redirect(302, returnUrlFor(result));
  }
}
