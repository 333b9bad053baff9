import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OutboundStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'read';

/**
 * One TikTok message the library sends for a host message (a host message may need several:
 * text and image travel separately, long text is split). Its TikTok message id is how the
 * `im_send_msg` echo is recognised as ours.
 */
@Entity({ name: 'tiktok_outbound_messages' })
export class TiktokOutboundMessageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @Column({ name: 'host_message_id', type: 'text' })
  hostMessageId: string;

  @Column({ name: 'part_index', type: 'int' })
  partIndex: number;

  @Column({ name: 'message_type', type: 'text' })
  messageType: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'text' })
  status: OutboundStatus;

  @Column({ name: 'tiktok_message_id', type: 'text', nullable: true })
  tiktokMessageId: string | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
