import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream';
import { authenticate, TokenHeaders } from './access-token';
import { Envelope, ok } from './envelope';
import { EnvelopeErrorFilter } from './envelope-error.filter';
import { InboundState } from './inbound-state';
import { OutboundState } from './outbound-state';
import { Params, asParams, invalid, requiredString } from './params';
import { RateLimits } from './rate-limits';
import { SAMPLE_CONTENT_TYPES, SampleMedia } from './sample-media';
import { SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';

export interface MediaDownloadData {
  download_url: string;
}

const MEDIA_TYPES: Record<string, string> = { IMAGE: 'image', VIDEO: 'video' };

/** message_id may come as a string or, from a client that kept TikTok's number, a number. */
function idParam(params: Params, name: string): string {
  const value = params[name];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return requiredString(params, name);
}

/**
 * `POST business/message/media/download/`: a short-lived URL for the bytes of an image or video in
 * a conversation (what a person sent, or what the business sent itself).
 */
@Controller('open_api/v1.3/business/message/media')
@UseFilters(EnvelopeErrorFilter)
export class MediaDownloadController {
  constructor(
    private readonly state: SandboxState,
    private readonly inbound: InboundState,
    private readonly rateLimits: RateLimits,
    private readonly stats: SandboxStats,
  ) {}

  @Post('download')
  @HttpCode(200)
  download(
    @Body() body: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<MediaDownloadData> {
    const params = asParams(body);
    const businessId = typeof params.business_id === 'string' ? params.business_id : undefined;
    const business = authenticate(this.state, tokenHeaders, businessId, 'message.list.read');
    this.rateLimits.take(business.openId);

    const conversationId = requiredString(params, 'conversation_id');
    const conversation = this.state.conversations.get(conversationId);
    if (conversation?.businessId !== business.openId) {
      throw invalid('conversation_id', `no conversation ${conversationId} for this business_id.`);
    }
    const messageId = idParam(params, 'message_id');
    const message = conversation.messages.find((item) => item.messageId === messageId);
    if (!message) throw invalid('message_id', `no message ${messageId} in this conversation.`);
    const mediaType = requiredString(params, 'media_type');
    if (!MEDIA_TYPES[mediaType]) throw invalid('media_type', 'it must be IMAGE or VIDEO.');
    const mediaId = requiredString(params, 'media_id');
    if (!message.mediaId || message.mediaId !== mediaId) {
      throw invalid('media_id', `${mediaId} is not the media of message ${messageId}.`);
    }
    if (MEDIA_TYPES[mediaType] !== message.type) {
      throw invalid('media_type', `message ${messageId} is of type ${message.type.toUpperCase()}.`);
    }
    const link = this.inbound.issueDownload(mediaId, business.openId);
    this.stats.countMediaDownload('urls');
    return ok({ download_url: `${this.state.baseUrl}/sandbox-cdn/media/${link.token}` });
  }
}

/**
 * TikTok's CDN, as far as the channel sees it: download URLs (which need `x-user: <access
 * token>` of the business) and the URLs of stickers and emoji (public, like a CDN's).
 */
@Controller('sandbox-cdn')
export class MediaCdnController {
  constructor(
    private readonly state: SandboxState,
    private readonly inbound: InboundState,
    private readonly outbound: OutboundState,
    private readonly samples: SampleMedia,
    private readonly stats: SandboxStats,
  ) {}

  @Get('media/:token')
  media(@Param('token') token: string, @Req() request: Request, @Res() response: Response): void {
    const refuse = (status: number, reason: string) => {
      this.stats.countMediaDownload('refused');
      response.status(status).type('text/plain').send(reason);
    };
    const link = this.inbound.downloads.get(token);
    if (!link) return refuse(404, 'Unknown download URL.');
    if (link.expiresAt <= this.state.now()) return refuse(403, 'The download URL has expired.');
    const accessToken = request.header('x-user')?.trim();
    if (!accessToken) return refuse(401, 'The x-user header (the access token) is missing.');
    const record = this.state.accessTokens.get(accessToken);
    if (
      !record ||
      record.revoked ||
      record.expiresAt <= this.state.now() ||
      record.openId !== link.businessId
    ) {
      return refuse(403, 'The x-user header is not a valid access token of this business.');
    }

    const received = this.inbound.media.get(link.mediaId);
    if (received) {
      this.stats.countMediaDownload('served');
      response.status(200).type(SAMPLE_CONTENT_TYPES[received.format]);
      // Without a Content-Length the bytes go chunked: the client learns the size only by counting.
      if (received.contentLength) response.setHeader('Content-Length', String(received.size));
      // pipeline destroys the generator when the client hangs up (a byte cap reached).
      pipeline(this.samples.stream(received.format, received.size), response, () => undefined);
      return;
    }
    const sent = this.outbound.media.get(link.mediaId);
    if (!sent) return refuse(404, 'The media no longer exists.');
    this.stats.countMediaDownload('served');
    response.status(200).type(sent.contentType).send(sent.bytes);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const id = file.replace(/\.png$/, '');
    if (!this.inbound.assets.has(id)) throw new NotFoundException();
    response.status(200).type('image/png').send(this.samples.bytes('png'));
  }
}
