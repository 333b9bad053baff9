import { Controller, Get, Param } from '@nestjs/common';
import type { ConversationNoteView } from '../conversations/conversation-note.view';
import { ConversationNotesService } from '../conversations/conversation-notes.service';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';

/**
 * Lines in a conversation that nobody wrote (which ad brought the customer, a gap in TikTok's
 * history). A list of their own, so the message list keeps its shape for existing clients.
 */
@Controller('api/conversations/:id/notes')
@HelpdeskApi()
export class ConversationNotesController {
  constructor(private readonly notes: ConversationNotesService) {}

  @Get()
  list(@Param('id') conversationId: string): Promise<ConversationNoteView[]> {
    return this.notes.list(conversationId);
  }
}
