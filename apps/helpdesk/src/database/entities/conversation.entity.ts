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
import { ContactEntity } from './contact.entity';
import { InboxEntity } from './inbox.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export type ConversationStatus = 'open' | 'resolved';

/** One TikTok conversation between a contact and the inbox's business account. */
@Entity('conversations')
@Check('conversations_status_check', `status IN ('open', 'resolved')`)
@Index('conversations_inbox_id_tiktok_conversation_id_key', ['inboxId', 'tiktokConversationId'], {
  unique: true,
})
export class ConversationEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'conversations_pkey' })
  id: string;

  @Column('uuid', { name: 'inbox_id' })
  inboxId: string;

  @ManyToOne(() => InboxEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'conversations_inbox_id_fkey' })
  inbox?: InboxEntity;

  @Column('uuid', { name: 'contact_id' })
  contactId: string;

  @ManyToOne(() => ContactEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'conversations_contact_id_fkey' })
  contact?: ContactEntity;

  @Column('text', { name: 'tiktok_conversation_id' })
  tiktokConversationId: string;

  @Column('text', { default: 'open' })
  status: ConversationStatus;

  @Column('timestamptz', { name: 'last_message_at', nullable: true })
  lastMessageAt: Date | null;

  /** When an agent last opened it: later customer messages are unread. */
  @Column('timestamptz', { name: 'last_read_at', nullable: true })
  lastReadAt: Date | null;

  /** Set while a satisfaction survey awaits the customer's 1–5 answer. */
  @Column('timestamptz', { name: 'csat_requested_at', nullable: true })
  csatRequestedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
