import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { ConversationEntity } from './conversation.entity';
import { InboxEntity } from './inbox.entity';
import { MessageEntity } from './message.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

/** A customer's 1–5 answer to a satisfaction survey; the message that carried it is the key. */
@Entity('csat_ratings')
@Check('csat_ratings_rating_check', `rating BETWEEN 1 AND 5`)
@Index('csat_ratings_inbox_id_idx', ['inboxId', 'ratedAt'])
@Index('csat_ratings_conversation_id_idx', ['conversationId', 'ratedAt'])
export class CsatRatingEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'csat_ratings_pkey' })
  id: string;

  @Column('uuid', { name: 'inbox_id' })
  inboxId: string;

  @ManyToOne(() => InboxEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'csat_ratings_inbox_id_fkey' })
  inbox?: InboxEntity;

  @Column('uuid', { name: 'conversation_id' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'conversation_id',
    foreignKeyConstraintName: 'csat_ratings_conversation_id_fkey',
  })
  conversation?: ConversationEntity;

  /** A redelivered webhook lands on the same message, so the same rating is never counted twice. */
  @Index('csat_ratings_message_id_key', { unique: true })
  @Column('uuid', { name: 'message_id' })
  messageId: string;

  @ManyToOne(() => MessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'csat_ratings_message_id_fkey' })
  message?: MessageEntity;

  @Column('int')
  rating: number;

  @Column('timestamptz', { name: 'rated_at' })
  ratedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
