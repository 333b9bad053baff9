import { Body, Controller, Get, Param, Post, UsePipes } from '@nestjs/common';
import type { MessageView } from '../conversations/message.view';
import { MessagesService } from '../conversations/messages.service';
import { OutgoingMessagesService } from '../conversations/outgoing-messages.service';
import { SendMessageDto } from './dto/send-message.dto';
import { helpdeskValidation } from './validation';

@Controller('api/conversations/:id/messages')
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
   * 201 with the message as stored after the attempt: `sent` with TikTok's id, or `failed` with
   * the reason. A refusal by TikTok's rules is an outcome to show, not an HTTP error.
   */
  @Post()
  send(@Param('id') conversationId: string, @Body() body: SendMessageDto): Promise<MessageView> {
    return this.outgoing.send(conversationId, body.content);
  }
}
