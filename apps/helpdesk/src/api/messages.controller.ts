import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  UploadedFiles,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import type { MessageView } from '../conversations/message.view';
import { MessagesService } from '../conversations/messages.service';
import {
  OutgoingMessagesService,
  type OutgoingFile,
} from '../conversations/outgoing-messages.service';
import { NON_EMPTY, SendMessageFormDto } from './dto/send-message.dto';
import { helpdeskValidation } from './validation';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';
import { AcceptsUploads } from '../auth/request-origin.guard';
import { CurrentUser, type SignedInUser } from '../auth/signed-in-user';

/** The part of a multer file the API reads (memory storage). */
interface UploadedFilePart {
  originalname: string;
  mimetype: string;
  buffer: Buffer;
}

/** Files per reply, and the largest file read (the library converts images to at most 3 MB). */
export const MAX_ATTACHMENTS = 10;
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

@Controller('api/conversations/:id/messages')
@HelpdeskApi()
@UsePipes(helpdeskValidation)
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly outgoing: OutgoingMessagesService,
  ) {}

  @Get()
  list(@Param('id') conversationId: string): Promise<MessageView[]> {
    return this.messages.list(conversationId);
  }

  /**
   * JSON `{ content }`, or `multipart/form-data` with a `content` field and `attachments` files
   * (content may then be empty). 201 with the message as stored after the attempt: `sent` with
   * TikTok's id, `failed` with the reason, or `pending` while TikTok has not answered yet; `parts`
   * says what became of each TikTok message it turned into. A refusal by TikTok's rules is an
   * outcome to show, not an HTTP error.
   */
  @Post()
  @AcceptsUploads()
  @UseInterceptors(
    FilesInterceptor('attachments', MAX_ATTACHMENTS, {
      limits: { fileSize: MAX_ATTACHMENT_BYTES },
    }),
  )
  send(
    @Param('id') conversationId: string,
    @Body() body: SendMessageFormDto,
    @UploadedFiles() uploaded: UploadedFilePart[] | undefined,
    @CurrentUser() user: SignedInUser,
  ): Promise<MessageView> {
    const files: OutgoingFile[] = (uploaded ?? []).map((file) => ({
      // Browsers send UTF-8 names; multer reads the header as latin1.
      fileName: Buffer.from(file.originalname, 'latin1').toString('utf8'),
      contentType: file.mimetype || 'application/octet-stream',
      bytes: file.buffer,
    }));
    const content = body.content ?? '';
    if (files.length === 0 && !/\S/.test(content)) throw new BadRequestException(NON_EMPTY);
    return this.outgoing.send(conversationId, {
      content,
      files,
      author: { kind: 'agent', userId: user.id, name: user.name },
    });
  }

  /** Sends the failed parts of a reply again, in order. 200 with the message as stored after it. */
  @Post(':messageId/retry')
  @HttpCode(200)
  retry(
    @Param('id') conversationId: string,
    @Param('messageId') messageId: string,
  ): Promise<MessageView> {
    return this.outgoing.retry(conversationId, messageId);
  }
}
