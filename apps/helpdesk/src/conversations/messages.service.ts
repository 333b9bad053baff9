import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { MessageEntity } from '../database/entities/message.entity';
import { ConversationsService } from './conversations.service';
import { toMessageView, type MessageView } from './message.view';

@Injectable()
export class MessagesService {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly conversations: ConversationsService,
  ) {}

  /**
   * Oldest first, in the order things happened: a TikTok message by the time TikTok gives it
   * (it reaches us later), a reply by the time the agent sent it (TikTok accepts it later).
   * The earlier of the two times is that moment in both cases.
   */
  async list(conversationId: string): Promise<MessageView[]> {
    await this.conversations.get(conversationId);
    const rows = await this.messages
      .createQueryBuilder('message')
      .where('message.conversation_id = :conversationId', { conversationId })
      .orderBy('LEAST(message.created_at, message.sent_at)', 'ASC')
      .addOrderBy('message.created_at', 'ASC')
      .addOrderBy('message.id', 'ASC')
      .getMany();
    return rows.map(toMessageView);
  }

  async get(messageId: string): Promise<MessageView> {
    return toMessageView(await this.messages.findOneByOrFail({ id: messageId }));
  }
}
