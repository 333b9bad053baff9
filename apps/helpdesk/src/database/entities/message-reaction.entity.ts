import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ConversationEntity } from './conversation.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export type ReactedBy = 'customer' | 'business';

/**
 * One person's emoji on one message, named by the message's TikTok id so that a reaction processed
 * before its message arrives is kept and shows once it does. Removing a reaction keeps the row
 * (inactive) with TikTok's time, so a late or repeated "add" older than the removal cannot bring
 * it back.
 */
@Entity('message_reactions')
@Check('message_reactions_reacted_by_check', `reacted_by IN ('customer', 'business')`)
@Index(
  'message_reactions_target_key',
  ['conversationId', 'tiktokMessageId', 'reactedBy', 'emoji'],
  { unique: true },
)
export class MessageReactionEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'message_reactions_pkey' })
  id: string;

  @Column('uuid', { name: 'conversation_id' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'conversation_id',
    foreignKeyConstraintName: 'message_reactions_conversation_id_fkey',
  })
  conversation?: ConversationEntity;

  /** The TikTok id of the message reacted to. */
  @Column('text', { name: 'tiktok_message_id' })
  tiktokMessageId: string;

  @Column('text', { name: 'reacted_by' })
  reactedBy: ReactedBy;

  @Column('text')
  emoji: string;

  @Column('boolean')
  active: boolean;

  @Column('timestamptz')
  at: Date;
}
