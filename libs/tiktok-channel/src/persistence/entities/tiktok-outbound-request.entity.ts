import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TiktokAccountEntity } from './tiktok-account.entity';
import { TiktokConversationEntity } from './tiktok-conversation.entity';

export type OutboundRequestStatus = 'pending' | 'sent' | 'failed';

/**
 * One host message handed to the messenger: its overall status (from its parts) and the status the
 * host was last told, so a report a crash swallowed is made by the sweep.
 */
@Entity({ name: 'tiktok_outbound_requests' })
@Check('tiktok_outbound_requests_status_check', `status IN ('pending', 'sent', 'failed')`)
@Index('tiktok_outbound_requests_unreported_idx', ['updatedAt'], {
  where: 'reported_status IS DISTINCT FROM status',
})
export class TiktokOutboundRequestEntity {
  @PrimaryColumn({
    name: 'host_message_id',
    type: 'text',
    primaryKeyConstraintName: 'tiktok_outbound_requests_pkey',
  })
  hostMessageId: string;

  @ForeignKey(() => TiktokAccountEntity, {
    name: 'tiktok_outbound_requests_account_id_fkey',
    onDelete: 'CASCADE',
  })
  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ForeignKey(() => TiktokConversationEntity, {
    name: 'tiktok_outbound_requests_conversation_id_fkey',
    onDelete: 'CASCADE',
  })
  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @Column({ type: 'text' })
  status: OutboundRequestStatus;

  @Column({ name: 'reported_status', type: 'text', nullable: true })
  reportedStatus: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
