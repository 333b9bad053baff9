import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TiktokMessenger } from 'tiktok-channel';
import { queryRows } from '../database/sql';
import { ConversationsService } from './conversations.service';
import type { MessageView } from './message.view';
import { MessagesService } from './messages.service';

/**
 * Sends a message written by an agent or an automation rule. The host's message row exists first
 * (as `pending`), so whatever TikTok says the agent sees what they wrote and what became of it;
 * the messenger reports the outcome through the port, which updates that row.
 */
@Injectable()
export class OutgoingMessagesService {
  private readonly logger = new Logger(OutgoingMessagesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly messenger: TiktokMessenger,
  ) {}

  async send(conversationId: string, content: string): Promise<MessageView> {
    await this.conversations.get(conversationId);
    const messageId = await this.insertPending(conversationId, content);
    try {
      await this.messenger.send({ conversationId, messageId, content });
    } catch (error) {
      // The messenger only throws for programming errors; a row left pending would look as if it
      // were still on its way, so it is marked failed before the error goes up.
      this.logger.error(
        `Sending message ${messageId} threw: ${(error as Error).message}`,
        (error as Error).stack,
      );
      await queryRows(
        this.dataSource,
        `UPDATE messages SET status = 'failed', failure_reason = 'unknown' WHERE id = $1 AND status = 'pending'`,
        [messageId],
      );
      throw error;
    }
    return this.messages.get(messageId);
  }

  private async insertPending(conversationId: string, content: string): Promise<string> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = await queryRows<{ id: string }>(
        tx,
        `INSERT INTO messages (conversation_id, direction, content, status)
         VALUES ($1, 'outgoing', $2, 'pending') RETURNING id`,
        [conversationId, content],
      );
      await queryRows(
        tx,
        `UPDATE conversations SET last_message_at = GREATEST(last_message_at, now()) WHERE id = $1`,
        [conversationId],
      );
      return row.id;
    });
  }
}
