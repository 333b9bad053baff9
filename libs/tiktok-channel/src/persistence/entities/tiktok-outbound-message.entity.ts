import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  Unique,
} from 'typeorm';
import { TiktokAccountEntity } from './tiktok-account.entity';
import { TiktokConversationEntity } from './tiktok-conversation.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export type OutboundStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'read';

/** What a part carries: a text, an image, one of the business's posts, or a link to a video. */
export type OutboundPartKind = 'text' | 'image' | 'share_post' | 'link';

/**
 * One TikTok message the library sends for a host message (a host message may need several:
 * text and image travel separately, long text is split). Its TikTok message id is how the
 * `im_send_msg` echo is recognised as ours.
 */
@Entity({ name: 'tiktok_outbound_messages' })
// Sending a host message upserts its parts on this key (ON CONFLICT (host_message_id, part_index)).
@Unique('tiktok_outbound_messages_host_message_id_part_index_key', ['hostMessageId', 'partIndex'])
@Unique('tiktok_outbound_messages_tiktok_message_id_key', ['tiktokMessageId'])
@Check(
  'tiktok_outbound_messages_status_check',
  `status IN ('pending', 'sending', 'sent', 'failed', 'read')`,
)
@Check('tiktok_outbound_messages_kind_check', `kind IN ('text', 'image', 'share_post', 'link')`)
@Index('tiktok_outbound_messages_conversation_idx', ['conversationId', 'status'])
export class TiktokOutboundMessageEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'tiktok_outbound_messages_pkey' })
  id: string;

  @ForeignKey(() => TiktokAccountEntity, {
    name: 'tiktok_outbound_messages_account_id_fkey',
    onDelete: 'CASCADE',
  })
  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ForeignKey(() => TiktokConversationEntity, {
    name: 'tiktok_outbound_messages_conversation_id_fkey',
    onDelete: 'CASCADE',
  })
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

  @Column({ type: 'text', default: 'text' })
  kind: OutboundPartKind;

  /** The host's attachment (its index in `attachments`) this part carries; null for text. */
  @Column({ name: 'attachment_index', type: 'int', nullable: true })
  attachmentIndex: number | null;

  /** TikTok message id a text part quotes (`referenced_message_info`). */
  @Column({ name: 'referenced_message_id', type: 'text', nullable: true })
  referencedMessageId: string | null;

  /** The image's media id once uploaded (valid 30 days), so a retry does not upload again. */
  @Column({ name: 'media_id', type: 'text', nullable: true })
  mediaId: string | null;

  @Column({ name: 'media_uploaded_at', type: 'timestamptz', nullable: true })
  mediaUploadedAt: Date | null;

  /** The post a SHARE_POST part shares. */
  @Column({ name: 'share_item_id', type: 'text', nullable: true })
  shareItemId: string | null;

  /** The sentence the agent reads for a failed part. */
  @Column({ name: 'failure_detail', type: 'text', nullable: true })
  failureDetail: string | null;

  /** When the part may be tried (or reconciled) next: backoff after throttling and outages. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /**
   * When the latest request for this part left. A part still `sending` without a live lease has
   * an unknown outcome, and is looked for in TikTok's history from this moment on before any resend.
   */
  @Column({ name: 'attempt_started_at', type: 'timestamptz', nullable: true })
  attemptStartedAt: Date | null;

  @Column({ name: 'reconcile_attempts', type: 'int', default: 0 })
  reconcileAttempts: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
