import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MessageEntity } from './message.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export type ReactedBy = 'customer' | 'business';

/**
 * One person's emoji on one message. Removing a reaction keeps the row (inactive) with TikTok's
 * time, so a late or repeated "add" older than the removal cannot bring it back.
 */
@Entity('message_reactions')
@Check('message_reactions_reacted_by_check', `reacted_by IN ('customer', 'business')`)
@Index('message_reactions_message_id_reacted_by_emoji_key', ['messageId', 'reactedBy', 'emoji'], {
  unique: true,
})
export class MessageReactionEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'message_reactions_pkey' })
  id: string;

  @Column('uuid', { name: 'message_id' })
  messageId: string;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'message_reactions_message_id_fkey' })
  message?: MessageEntity;

  @Column('text', { name: 'reacted_by' })
  reactedBy: ReactedBy;

  @Column('text')
  emoji: string;

  @Column('boolean')
  active: boolean;

  @Column('timestamptz')
  at: Date;
}
