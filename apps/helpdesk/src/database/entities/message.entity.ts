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
import { UserEntity } from './user.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export type MessageDirection = 'incoming' | 'outgoing';
/** Who wrote an outgoing message: an agent, an automation, or the business in TikTok itself. */
export const MESSAGE_AUTHOR_KINDS = ['agent', 'auto_reply', 'csat', 'tiktok'] as const;
export type MessageAuthorKind = (typeof MESSAGE_AUTHOR_KINDS)[number];

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';

/** What the host keeps of an attachment; `tiktokMediaId` lets the library fetch it again. */
export interface StoredAttachment {
  kind: string;
  url?: string;
  mimeType?: string;
  tiktokMediaId?: string;
  /** The name an agent's file had, or the one TikTok's media got. */
  fileName?: string;
  /** The stored bytes' media type and size (inbound media the helpdesk keeps). */
  contentType?: string;
  size?: number;
  /** `share_post`: TikTok's id of the shared video. */
  videoId?: string;
  /** Why the bytes are not there (download refused, over the byte cap). */
  unavailableReason?: string;
}

/** Where a message the business sent outside the helpdesk was typed. */
export type MessageSentFrom = 'tiktok_app' | 'tiktok_web' | 'api' | 'other';

/** One TikTok message of a reply, as the library last reported it. */
export interface StoredPart {
  index: number;
  kind: string;
  attachmentIndex?: number;
  status: string;
  tiktokMessageId?: string;
  reason?: string;
  detail?: string;
}

@Entity('messages')
@Check('messages_direction_check', `direction IN ('incoming', 'outgoing')`)
@Check(
  'messages_status_check',
  `status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'received')`,
)
@Check('messages_author_kind_check', `author_kind IN ('agent', 'auto_reply', 'csat', 'tiktok')`)
@Index('messages_conversation_id_created_at_idx', ['conversationId', 'createdAt'])
export class MessageEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'messages_pkey' })
  id: string;

  @Column('uuid', { name: 'conversation_id' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'conversation_id',
    foreignKeyConstraintName: 'messages_conversation_id_fkey',
  })
  conversation?: ConversationEntity;

  @Column('text')
  direction: MessageDirection;

  @Column('text', { default: '' })
  content: string;

  @Column('jsonb', { default: () => "'[]'" })
  attachments: StoredAttachment[];

  @Column('text')
  status: MessageStatus;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** The library's sentence for the agent when the reply failed. */
  @Column('text', { name: 'failure_detail', nullable: true })
  failureDetail: string | null;

  /** A reply's TikTok messages (text and each attachment travel separately), with their status. */
  @Column('jsonb', { default: () => "'[]'" })
  parts: StoredPart[];

  /** TikTok's message id: the key that makes redelivered webhooks land on the same row. */
  @Index('messages_external_id_key', { unique: true, where: 'external_id IS NOT NULL' })
  @Column('text', { name: 'external_id', nullable: true })
  externalId: string | null;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt: Date | null;

  /** TikTok's message type, lower case (`text`, `image`, `share_post`, ... or one we do not know). */
  @Column('text', { name: 'tiktok_type', nullable: true })
  tiktokType: string | null;

  /** The TikTok id of the message this one quotes. */
  @Column('text', { name: 'reply_to_external_id', nullable: true })
  replyToExternalId: string | null;

  @Column('boolean', { name: 'is_follower', nullable: true })
  isFollower: boolean | null;

  @Column('text', { name: 'auto_message_type', nullable: true })
  autoMessageType: string | null;

  /** A type the library does not know: its raw content, so nothing is lost. */
  @Column('jsonb', { nullable: true })
  raw: Record<string, unknown> | null;

  /** Null for the customer's messages. */
  @Column('text', { name: 'author_kind', nullable: true })
  authorKind: MessageAuthorKind | null;

  @Column('uuid', { name: 'author_user_id', nullable: true })
  authorUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'author_user_id', foreignKeyConstraintName: 'messages_author_user_id_fkey' })
  authorUser?: UserEntity;

  /** The agent's name when they sent it, kept if the agent is later removed. */
  @Column('text', { name: 'author_name', nullable: true })
  authorName: string | null;

  /** For a message the business sent outside the helpdesk: where (`tiktok_app`, `tiktok_web`, ...). */
  @Column('text', { name: 'sent_from', nullable: true })
  sentFrom: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
