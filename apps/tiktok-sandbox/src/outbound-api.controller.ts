import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { authenticate, TokenHeaders } from './access-token';
import { Envelope, ErrorCode, TikTokApiError, ok } from './envelope';
import { EnvelopeErrorFilter } from './envelope-error.filter';
import { MAX_IMAGE_BYTES, imageTypeOf } from './messaging-rules';
import { OutboundState } from './outbound-state';
import { asParams, invalid, optionalString, requiredString } from './params';
import { RateLimits } from './rate-limits';
import { SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';

export interface UploadData {
  media_id: string;
}

export interface CapabilitiesData {
  capability_infos: Array<{ capability_type: string; capability_result: boolean }>;
}

export interface VideoListData {
  videos: Array<{ item_id: string; share_url: string; embed_url: string }>;
  has_more: boolean;
  cursor: string;
}

/** What multer gives for the `file` part (memory storage). */
interface FilePart {
  buffer: Buffer;
  size: number;
}

/** Big enough to answer an oversized upload with TikTok's 40907 instead of a framework error. */
const MULTIPART_FILE_LIMIT = 32 * 1024 * 1024;
const MAX_VIDEO_PAGE = 20;

/**
 * The outbound side of Business Messaging beyond `send`: image upload (multipart), whether a
 * conversation can receive images, and the business's own posts (what SHARE_POST may share).
 */
@Controller('open_api/v1.3/business')
@UseFilters(EnvelopeErrorFilter)
export class OutboundApiController {
  constructor(
    private readonly state: SandboxState,
    private readonly outbound: OutboundState,
    private readonly stats: SandboxStats,
    private readonly rateLimits: RateLimits,
  ) {}

  /** Fields `business_id`, `media_type=IMAGE`, `file`: JPG or PNG up to 3 MB, by its bytes. */
  @Post('message/media/upload')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MULTIPART_FILE_LIMIT } }))
  upload(
    @Body() body: unknown,
    @UploadedFile() file: FilePart | undefined,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<UploadData> {
    const params = asParams(body);
    const business = authenticate(
      this.state,
      tokenHeaders,
      optionalString(params, 'business_id'),
      'message.list.send',
    );
    this.rateLimits.take(business.openId);
    const mediaType = requiredString(params, 'media_type');
    if (mediaType !== 'IMAGE') {
      throw invalid('media_type', 'only IMAGE can be uploaded; TikTok takes no video files.');
    }
    if (!file) throw invalid('file', 'a multipart file part named "file" is required.');
    if (file.size > MAX_IMAGE_BYTES) {
      throw new TikTokApiError(40907, `The file is larger than 3 MB (${file.size} bytes).`);
    }
    const contentType = imageTypeOf(file.buffer);
    if (!contentType) {
      throw new TikTokApiError(40908, 'The file type is not supported: upload a JPG or PNG image.');
    }
    const media = this.outbound.storeMedia(business.openId, contentType, file.buffer);
    this.stats.countOperation('uploads');
    return ok({ media_id: media.mediaId });
  }

  @Get('message/capabilities/get')
  capabilities(
    @Query() query: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<CapabilitiesData> {
    const params = asParams(query);
    const business = authenticate(
      this.state,
      tokenHeaders,
      optionalString(params, 'business_id'),
      'message.list.read',
    );
    this.rateLimits.take(business.openId);
    const conversationId = requiredString(params, 'conversation_id');
    const conversation = this.state.conversations.get(conversationId);
    if (conversation?.businessId !== business.openId) {
      throw invalid('conversation_id', `no conversation ${conversationId} for this business_id.`);
    }
    const type = optionalString(params, 'conversation_type');
    if (type !== undefined && type !== 'STRANGER' && type !== 'SINGLE') {
      throw invalid('conversation_type', 'it must be STRANGER or SINGLE.');
    }
    const types = this.capabilityTypes(optionalString(params, 'capability_types'));
    return ok({
      capability_infos: types.map((capabilityType) => ({
        capability_type: capabilityType,
        capability_result:
          capabilityType === 'IMAGE_SEND' &&
          !this.outbound.imageSendDisabled.has(conversation.userId),
      })),
    });
  }

  /** The business's posts, newest first; `cursor` is an offset. */
  @Get('video/list')
  videos(
    @Query() query: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<VideoListData> {
    const params = asParams(query);
    const business = authenticate(
      this.state,
      tokenHeaders,
      optionalString(params, 'business_id'),
      'video.list',
    );
    const maxCount = Number(optionalString(params, 'max_count') ?? String(MAX_VIDEO_PAGE));
    if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > MAX_VIDEO_PAGE) {
      throw invalid('max_count', `it must be an integer from 1 to ${MAX_VIDEO_PAGE}.`);
    }
    const offset = Number(optionalString(params, 'cursor') ?? '0');
    if (!Number.isInteger(offset) || offset < 0) throw invalid('cursor', 'unknown cursor.');
    const posts = [...this.outbound.posts.values()]
      .filter((post) => post.businessId === business.openId)
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = posts.slice(offset, offset + maxCount);
    return ok({
      videos: page.map((post) => ({
        item_id: post.itemId,
        share_url: post.shareUrl,
        embed_url: post.embedUrl,
      })),
      has_more: offset + maxCount < posts.length,
      cursor: String(offset + page.length),
    });
  }

  private capabilityTypes(raw: string | undefined): string[] {
    if (raw === undefined) return ['IMAGE_SEND'];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((type) => typeof type === 'string')) {
      throw new TikTokApiError(
        ErrorCode.invalidParameter,
        'Invalid capability_types: it must be a JSON array, e.g. ["IMAGE_SEND"].',
      );
    }
    return parsed as string[];
  }
}
