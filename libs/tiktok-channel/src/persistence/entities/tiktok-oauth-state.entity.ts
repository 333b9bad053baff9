import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TiktokConnectContext } from '../../tiktok-channel.options';

/** One authorize attempt. The row makes the state single-use and keeps the host's context server-side. */
@Entity({ name: 'tiktok_oauth_states' })
// Unfinished attempts per tenant are capped: the oldest are found through this index.
@Index('tiktok_oauth_states_tenant_idx', ['tenant', 'createdAt'], { where: 'used_at IS NULL' })
// The retention job deletes expired states.
@Index('tiktok_oauth_states_expires_idx', ['expiresAt'])
export class TiktokOauthStateEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'tiktok_oauth_states_pkey' })
  nonce: string;

  @Column({ type: 'jsonb' })
  context: TiktokConnectContext;

  /** The context's tenant, for the cap on unfinished attempts (null on rows from before it existed). */
  @Column({ type: 'text', nullable: true })
  tenant: string | null;

  /** SHA-256 of the nonce in the starting browser's cookie: only that browser may complete it. */
  @Column({ name: 'browser_binding', type: 'text', nullable: true })
  browserBinding: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
