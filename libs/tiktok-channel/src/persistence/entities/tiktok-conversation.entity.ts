import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Links a TikTok conversation to the host's conversation and keeps what the messaging rules need. */
@Entity({ name: 'tiktok_conversations' })
export class TiktokConversationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ name: 'tiktok_conversation_id', type: 'text' })
  tiktokConversationId: string;

  @Column({ name: 'tiktok_user_id', type: 'text' })
  tiktokUserId: string;

  @Column({ name: 'host_inbox_id', type: 'text' })
  hostInboxId: string;

  @Column({ name: 'host_contact_id', type: 'text' })
  hostContactId: string;

  @Column({ name: 'host_conversation_id', type: 'text' })
  hostConversationId: string;

  /** When the person last wrote: the 48-hour reply window runs from here. Null: they never wrote. */
  @Column({ name: 'last_inbound_at', type: 'timestamptz', nullable: true })
  lastInboundAt: Date | null;

  @Column({ name: 'last_read_at', type: 'timestamptz', nullable: true })
  lastReadAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
