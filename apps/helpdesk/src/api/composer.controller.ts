import {
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { TiktokMessenger, type SenderActionOutcome, type TiktokSendingState } from 'tiktok-channel';
import { ConversationsService } from '../conversations/conversations.service';
import { queryRows } from '../database/sql';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';

/** What the page's composer needs to know before the agent writes. */
export interface ComposerView {
  canSend: boolean;
  /** Why not (a library reason), and the sentence to show. */
  reason: string | null;
  detail: string | null;
  replyWindowEndsAt: string | null;
  remainingMessages: number;
  imageSend: boolean | 'unknown';
}

/**
 * The composer's side channel: whether a reply can go out now (window, caps, the account's state),
 * the typing indicator while an agent types, and "read" when an agent opens a conversation.
 */
@Controller('api/conversations/:id')
@HelpdeskApi()
export class ComposerController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messenger: TiktokMessenger,
  ) {}

  @Get('composer')
  @Header('Cache-Control', 'no-store')
  async composer(@Param('id') conversationId: string): Promise<ComposerView> {
    await this.conversations.get(conversationId);
    const state: TiktokSendingState = await this.messenger.getSendingState(conversationId);
    return {
      canSend: state.canSend,
      reason: state.reason ?? null,
      detail: state.detail ?? null,
      replyWindowEndsAt: state.replyWindowEndsAt?.toISOString() ?? null,
      remainingMessages: state.remainingMessages,
      imageSend: state.imageSend,
    };
  }

  /** The page calls it every few seconds while the agent types; TikTok shows it about 5 s. */
  @Post('typing')
  @HttpCode(200)
  async typing(@Param('id') conversationId: string): Promise<SenderActionOutcome> {
    await this.conversations.get(conversationId);
    return this.messenger.sendTyping({ conversationId });
  }

  /** The page calls it when an agent opens the conversation. */
  @Post('read')
  @HttpCode(200)
  async read(@Param('id') conversationId: string): Promise<SenderActionOutcome> {
    await this.conversations.get(conversationId);
    return this.messenger.markRead({ conversationId });
  }
}

/** The files agents attached, for the page to show in sent replies. */
@Controller('api/attachments')
@HelpdeskApi()
export class AttachmentsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(':attachmentId')
  async attachment(
    @Param('attachmentId') attachmentId: string,
    @Res() response: Response,
  ): Promise<void> {
    const [row] = isUUID(attachmentId)
      ? await queryRows<{ content_type: string; bytes: Buffer }>(
          this.dataSource,
          `SELECT content_type, bytes FROM outgoing_attachments WHERE id = $1`,
          [attachmentId],
        )
      : [];
    if (!row) throw new NotFoundException(`Attachment ${attachmentId} does not exist`);
    response
      .status(200)
      .type(row.content_type)
      .set('X-Content-Type-Options', 'nosniff')
      // An agent's file is shown, never run: no script can act from it, whatever its type says.
      .set('Content-Security-Policy', "default-src 'none'; img-src 'self'; sandbox")
      .set('Cache-Control', 'private, max-age=3600')
      .send(row.bytes);
  }
}
