import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { ConversationEntity } from './conversation.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

/** A line in a conversation that nobody wrote: which ad brought the customer, a history gap... */
@Entity('conversation_notes')
@Index('conversation_notes_conversation_id_key_key', ['conversationId', 'key'], { unique: true })
export class ConversationNoteEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'conversation_notes_pkey' })
  id: string;

  @Column('uuid', { name: 'conversation_id' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'conversation_id',
    foreignKeyConstraintName: 'conversation_notes_conversation_id_fkey',
  })
  conversation?: ConversationEntity;

  /** The library's idempotency key: the same note delivered twice is one row. */
  @Column('text')
  key: string;

  /** `referral`, `history_gap`, `event_parked`, or a kind a newer library adds. */
  @Column('text')
  kind: string;

  @Column('text')
  text: string;

  @Column('jsonb', { nullable: true })
  data: Record<string, string | number | boolean | null> | null;

  @Column('timestamptz')
  at: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
