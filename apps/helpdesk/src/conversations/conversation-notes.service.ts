import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ConversationNoteEntity } from '../database/entities/conversation-note.entity';
import { toConversationNoteView, type ConversationNoteView } from './conversation-note.view';
import { ConversationsService } from './conversations.service';

@Injectable()
export class ConversationNotesService {
  constructor(
    @InjectRepository(ConversationNoteEntity)
    private readonly notes: Repository<ConversationNoteEntity>,
    private readonly conversations: ConversationsService,
  ) {}

  /** Oldest first, like the messages they sit between. */
  async list(conversationId: string): Promise<ConversationNoteView[]> {
    await this.conversations.get(conversationId);
    const rows = await this.notes.find({
      where: { conversationId },
      order: { at: 'ASC', createdAt: 'ASC', id: 'ASC' },
    });
    return rows.map(toConversationNoteView);
  }
}
