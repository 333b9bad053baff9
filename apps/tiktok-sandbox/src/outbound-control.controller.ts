import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream';
import { FaultBook, type FaultRates } from './faults';
import { InboundState } from './inbound-state';
import { SAMPLE_CONTENT_TYPES, SampleMedia } from './sample-media';
import { OutboundState, type SenderActionRecord } from './outbound-state';
import { Params, asParams } from './params';
import { RateLimits } from './rate-limits';
import { SandboxState } from './sandbox-state';

function rate(params: Params, name: keyof FaultRates): number {
  const value = params[name] ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new BadRequestException(`${name} must be a number from 0 to 1`);
  }
  return value;
}

function text(params: Params, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestException(`${name} is required (a non-empty string)`);
  }
  return value.trim();
}

/**
 * The side door for the outbound half: what a person's phone would show (received images), what
 * TikTok decides per person (image capability), the business's own posts, and the disturbances
 * a sender must survive (random faults, the rate limit). Not part of TikTok's API.
 */
@Controller('sandbox')
export class OutboundControlController {
  constructor(
    private readonly state: SandboxState,
    private readonly outbound: OutboundState,
    private readonly faults: FaultBook,
    private readonly rateLimits: RateLimits,
    private readonly inbound: InboundState,
    private readonly samples: SampleMedia,
  ) {}

  /** Whether the person can receive IMAGE messages (TikTok limits them by region). Default yes. */
  @Post('users/:userId/capabilities')
  @HttpCode(200)
  setCapabilities(
    @Param('userId') userId: string,
    @Body() body: unknown,
  ): { userId: string; imageSend: boolean } {
    if (!this.state.users.has(userId)) throw new NotFoundException(`no user ${userId}`);
    const imageSend = asParams(body).imageSend;
    if (typeof imageSend !== 'boolean')
      throw new BadRequestException('imageSend must be a boolean');
    if (imageSend) this.outbound.imageSendDisabled.delete(userId);
    else this.outbound.imageSendDisabled.add(userId);
    return { userId, imageSend };
  }

  /** The business posts a video on TikTok: it can then be shared with SHARE_POST. */
  @Post('videos')
  @HttpCode(201)
  addVideo(@Body() body: unknown): { itemId: string; shareUrl: string; embedUrl: string } {
    const businessId = text(asParams(body), 'businessId');
    const account = this.state.accounts.get(businessId);
    if (!account) throw new NotFoundException(`no account ${businessId}`);
    const post = this.outbound.addPost(businessId, account.username);
    return { itemId: post.itemId, shareUrl: post.shareUrl, embedUrl: post.embedUrl };
  }

  /**
   * The bytes of an uploaded image, as the person's phone shows it, or of an image or video a
   * person sent (no token needed: this is the sandbox's side door, not TikTok's CDN).
   */
  @Get('media/:mediaId')
  media(@Param('mediaId') mediaId: string, @Res() response: Response): void {
    const received = this.inbound.media.get(mediaId);
    if (received) {
      response.status(200).type(SAMPLE_CONTENT_TYPES[received.format]);
      response.setHeader('Content-Length', String(received.size));
      pipeline(this.samples.stream(received.format, received.size), response, () => undefined);
      return;
    }
    const media = this.outbound.media.get(mediaId);
    if (!media) throw new NotFoundException(`no media ${mediaId}`);
    response.status(200).type(media.contentType).send(media.bytes);
  }

  /** TYPING and MARK_READ the conversation received, oldest first. */
  @Get('conversations/:conversationId/sender-actions')
  senderActions(@Param('conversationId') conversationId: string): SenderActionRecord[] {
    if (!this.state.conversations.has(conversationId)) {
      throw new NotFoundException(`no conversation ${conversationId}`);
    }
    return this.outbound.senderActions.get(conversationId) ?? [];
  }

  /**
   * `{ path, http5xx?, timeoutAfterAccept?, resetAfterAccept? }`, each a chance from 0 to 1: every
   * later call of the path may fail that way (all 0 clears). Planned faults go first.
   */
  @Post('fault-rates')
  @HttpCode(200)
  setFaultRates(@Body() body: unknown): { path: string } & FaultRates {
    const params = asParams(body);
    const path = text(params, 'path');
    if (!path.endsWith('/'))
      throw new BadRequestException('path must end in "/", like TikTok paths');
    const rates: FaultRates = {
      http5xx: rate(params, 'http5xx'),
      timeoutAfterAccept: rate(params, 'timeoutAfterAccept'),
      resetAfterAccept: rate(params, 'resetAfterAccept'),
    };
    if (rates.http5xx + rates.timeoutAfterAccept + rates.resetAfterAccept > 1) {
      throw new BadRequestException('the rates add up to more than 1');
    }
    this.faults.setRates(path, rates);
    return { path: FaultBook.normalizePath(path), ...rates };
  }

  /** Faults injected since the last reset, by kind: `{ http503: 4, timeoutAfterAccept: 2 }`. */
  @Get('faults/injected')
  injected(): Record<string, number> {
    return this.faults.injectedCounts();
  }

  /** `{ perSecond }`: messaging requests per second per business before 40100; 0 turns it off. */
  @Post('rate-limit')
  @HttpCode(200)
  setRateLimit(@Body() body: unknown): { perSecond: number } {
    const perSecond = asParams(body).perSecond;
    if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond < 0) {
      throw new BadRequestException('perSecond must be a number of at least 0');
    }
    this.rateLimits.setRate(perSecond);
    return { perSecond };
  }

  @Get('rate-limit')
  rateLimit(): { perSecond: number } {
    return { perSecond: this.rateLimits.rate };
  }
}
