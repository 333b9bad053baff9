import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource, Repository } from 'typeorm';
import { HelpdeskEvents, type ConversationResolvedEvent } from '../automation/helpdesk-events';
import { ConversationEntity } from '../database/entities/conversation.entity';
import { queryRows } from '../database/sql';
import { conversationSummaries } from './conversation-summaries';
import { toConversationView, type ConversationView } from './conversation.view';

@Injectable()
export class ConversationsService {
  constructor(
    @InjectRepository(ConversationEntity)
    private readonly conversations: Repository<ConversationEntity>,
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  /** Most recently active first, so the page shows what needs an answer at the top. */
  async list(filter: { inboxId?: string }): Promise<ConversationView[]> {
    const rows = await this.conversations.find({
      where: filter.inboxId ? { inboxId: filter.inboxId } : {},
      relations: { contact: true },
      order: { lastMessageAt: { direction: 'DESC', nulls: 'LAST' }, createdAt: 'DESC' },
    });
    const summaries = await conversationSummaries(
      this.dataSource,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toConversationView(row, summaries.get(row.id)));
  }

  /** The conversation, or a 404 for anything that does not name one (a malformed id included). */
  async get(id: string): Promise<ConversationView> {
    const conversation = isUUID(id)
      ? await this.conversations.findOne({ where: { id }, relations: { contact: true } })
      : null;
    if (!conversation) throw new NotFoundException(`Conversation ${id} does not exist`);
    const summaries = await conversationSummaries(this.dataSource, [id]);
    return toConversationView(conversation, summaries.get(id));
  }

  /** An agent opened it: the customer's messages so far are read. */
  async markSeen(id: string): Promise<void> {
    await this.get(id);
    await queryRows(
      this.dataSource,
      `UPDATE conversations SET last_read_at = now() WHERE id = $1`,
      [id],
    );
  }

  /** Opens a resolved conversation again; a pending survey no longer waits for its answer. */
  async reopen(id: string): Promise<ConversationView> {
    await this.get(id);
    await queryRows(
      this.dataSource,
      `UPDATE conversations SET status = 'open', csat_requested_at = NULL WHERE id = $1`,
      [id],
    );
    return this.get(id);
  }

  /**
   * Marks the conversation resolved and announces it once: resolving an already resolved
   * conversation changes nothing, so the customer does not get a second satisfaction survey.
   */
  async resolve(id: string): Promise<ConversationView> {
    await this.get(id);
    const changed = await queryRows<{ inbox_id: string }>(
      this.dataSource,
      `UPDATE conversations SET status = 'resolved' WHERE id = $1 AND status <> 'resolved' RETURNING inbox_id`,
      [id],
    );
    if (changed.length > 0) {
      this.events.emit(HelpdeskEvents.ConversationResolved, {
        conversationId: id,
        inboxId: changed[0].inbox_id,
      } satisfies ConversationResolvedEvent);
    }
    return this.get(id);
  }
}
