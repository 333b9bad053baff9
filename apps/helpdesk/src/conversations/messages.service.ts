import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { ReactedBy } from '../database/entities/message-reaction.entity';
import { MessageEntity } from '../database/entities/message.entity';
import { queryRows } from '../database/sql';
import { ConversationsService } from './conversations.service';
import {
  toMessageView,
  type MessageView,
  type ReactionView,
  type ReplyToView,
} from './message.view';

@Injectable()
export class MessagesService {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly conversations: ConversationsService,
    private readonly dataSource: DataSource,
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
    return this.withRelations(rows);
  }

  async get(messageId: string): Promise<MessageView> {
    const [view] = await this.withRelations([
      await this.messages.findOneByOrFail({ id: messageId }),
    ]);
    return view;
  }

  /** Adds each message's reactions and the message it quotes, in two queries for the whole list. */
  private async withRelations(rows: MessageEntity[]): Promise<MessageView[]> {
    if (rows.length === 0) return [];
    // Reactions name their target by TikTok id, within its conversation.
    const targets = rows.filter((row) => row.externalId);
    const reactions = targets.length
      ? await queryRows<{
          conversation_id: string;
          tiktok_message_id: string;
          emoji: string;
          by: ReactedBy;
          at: Date;
        }>(
          this.dataSource,
          `SELECT conversation_id, tiktok_message_id, emoji, reacted_by AS by, at
             FROM message_reactions
            WHERE conversation_id = ANY($1::uuid[]) AND tiktok_message_id = ANY($2::text[]) AND active
            ORDER BY at, emoji`,
          [
            [...new Set(targets.map((row) => row.conversationId))],
            targets.map((row) => row.externalId),
          ],
        )
      : [];
    const byMessage = new Map<string, ReactionView[]>();
    for (const r of reactions) {
      const key = `${r.conversation_id}/${r.tiktok_message_id}`;
      const list = byMessage.get(key) ?? [];
      list.push({ emoji: r.emoji, by: r.by, at: r.at.toISOString() });
      byMessage.set(key, list);
    }

    // A quote is looked up in the same conversation: a TikTok id from elsewhere is not this one's.
    const quoted = rows.filter((row) => row.replyToExternalId);
    const quotedRows = quoted.length
      ? await queryRows<{
          id: string;
          external_id: string;
          conversation_id: string;
          content: string;
        }>(
          this.dataSource,
          `SELECT id, external_id, conversation_id, content FROM messages
            WHERE external_id = ANY($1::text[])`,
          [quoted.map((row) => row.replyToExternalId)],
        )
      : [];

    return rows.map((row) => {
      let replyTo: ReplyToView | null = null;
      if (row.replyToExternalId) {
        const target = quotedRows.find(
          (t) =>
            t.external_id === row.replyToExternalId && t.conversation_id === row.conversationId,
        );
        replyTo = {
          externalId: row.replyToExternalId,
          messageId: target?.id ?? null,
          content: target?.content ?? null,
        };
      }
      const reactionsOf = row.externalId
        ? byMessage.get(`${row.conversationId}/${row.externalId}`)
        : undefined;
      return toMessageView(row, { reactions: reactionsOf ?? [], replyTo });
    });
  }
}
