import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  Unique,
} from 'typeorm';
import { TiktokAccountEntity } from './tiktok-account.entity';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

/** Links a TikTok conversation to the host's conversation and keeps what the messaging rules need. */
@Entity({ name: 'tiktok_conversations' })
// Inbound processing upserts on this key (ON CONFLICT (account_id, tiktok_conversation_id)).
@Unique('tiktok_conversations_account_id_tiktok_conversation_id_key', [
  'accountId',
  'tiktokConversationId',
])
@Unique('tiktok_conversations_host_conversation_id_key', ['hostConversationId'])
// The outbound sweep looks for conversations with sends due.
@Index('tiktok_conversations_outbound_due_idx', ['outboundDueAt'], {
  where: 'outbound_due_at IS NOT NULL',
})
export class TiktokConversationEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'tiktok_conversations_pkey' })
  id: string;

  @ForeignKey(() => TiktokAccountEntity, {
    name: 'tiktok_conversations_account_id_fkey',
    onDelete: 'CASCADE',
  })
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

  /** When the conversation next has a part to send or reconcile; null when nothing is waiting. */
  @Column({ name: 'outbound_due_at', type: 'timestamptz', nullable: true })
  outboundDueAt: Date | null;

  /**
   * One sender per conversation across every process, so parts go out in order and an unknown
   * outcome is reconciled before anything else is sent. Taken and renewed by single statements.
   */
  @Column({ name: 'outbound_lease_until', type: 'timestamptz', nullable: true })
  outboundLeaseUntil: Date | null;

  @Column({ name: 'outbound_lease_owner', type: 'uuid', nullable: true })
  outboundLeaseOwner: string | null;

  /** Cached `capabilities/get` answer for IMAGE_SEND; null when unknown. */
  @Column({ name: 'image_send_capability', type: 'boolean', nullable: true })
  imageSendCapability: boolean | null;

  @Column({ name: 'capabilities_checked_at', type: 'timestamptz', nullable: true })
  capabilitiesCheckedAt: Date | null;
}
