import { Controller, Get, HttpCode, Param, Post, Query, UsePipes } from '@nestjs/common';
import type { ConversationView } from '../conversations/conversation.view';
import { ConversationsService } from '../conversations/conversations.service';
import { ListConversationsQuery } from './dto/list-conversations.query';
import { helpdeskValidation } from './validation';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';

@Controller('api/conversations')
@HelpdeskApi()
@UsePipes(helpdeskValidation)
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  list(@Query() query: ListConversationsQuery): Promise<ConversationView[]> {
    return this.conversations.list({ inboxId: query.inboxId });
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<ConversationView> {
    return this.conversations.get(id);
  }

  /** Opens a resolved conversation again. 200 with the conversation. */
  @Post(':id/reopen')
  @HttpCode(200)
  reopen(@Param('id') id: string): Promise<ConversationView> {
    return this.conversations.reopen(id);
  }

  /** The page calls it when an agent opens the conversation: its messages so far are read. */
  @Post(':id/seen')
  @HttpCode(204)
  async seen(@Param('id') id: string): Promise<void> {
    await this.conversations.markSeen(id);
  }

  /** 200, not 201: nothing is created, the conversation changes state. */
  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@Param('id') id: string): Promise<ConversationView> {
    return this.conversations.resolve(id);
  }
}
