import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { BrowserBinding } from './browser-binding';
import { returnUrlFor } from './connect-result';
import { readOauthCallbackQuery } from './oauth-callback.query';
import { STATE_LIFETIME_SECONDS } from './oauth-state.service';
import { TiktokConnectService } from './tiktok-connect.service';

@Controller('tiktok/oauth')
export class TiktokOauthController {
  private readonly browser: BrowserBinding;

  constructor(
    private readonly connect: TiktokConnectService,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {
    this.browser = new BrowserBinding(
      new URL(config.redirectUri).protocol === 'https:',
      STATE_LIFETIME_SECONDS,
    );
  }

  /** Sends the person to TikTok's consent page. The host's resolver decides who may, and for what. */
  @Get('authorize')
  async authorize(@Req() req: Request, @Res() res: Response): Promise<void> {
    // The host's guard runs first: a refused request gets no cookie and no state.
    const context = await this.config.resolveConnectContext(req);
    const browserKey = this.browser.attach(req, res);
    res.redirect(302, await this.connect.authorizeUrl(context, browserKey));
  }

  /** TikTok's redirect back. Every outcome ends on the host's page with a reason, never an error page. */
  @Get('callback')
  async callback(
    @Query() raw: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const read = readOauthCallbackQuery(raw);
    const result = read.ok
      ? await this.connect.complete(read.query, this.browser.read(req))
      : this.connect.rejectMalformed(read.problems);
    res.redirect(302, returnUrlFor(result));
  }
}
