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

/**
 * An image, video or sticker a TikTok user sent. The bytes are a file named after `id` in the
 * helpdesk's attachments directory; the row says what they are.
 */
@Entity('inbound_attachments')
@Index('inbound_attachments_tiktok_message_id_position_key', ['tiktokMessageId', 'position'], {
  unique: true,
})
export class InboundAttachmentEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'inbound_attachments_pkey' })
  id: string;

  @Column('uuid', { name: 'conversation_id' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'conversation_id',
    foreignKeyConstraintName: 'inbound_attachments_conversation_id_fkey',
  })
  conversation?: ConversationEntity;

  @Column('text', { name: 'tiktok_message_id' })
  tiktokMessageId: string;

  /** Position in the message's attachments. */
  @Column('int')
  position: number;

  @Column('text')
  kind: string;

  @Column('text', { name: 'content_type' })
  contentType: string;

  @Column('text', { name: 'file_name' })
  fileName: string;

  @Column('int')
  size: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
