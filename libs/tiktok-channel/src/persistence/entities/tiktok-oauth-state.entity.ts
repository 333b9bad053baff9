import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { TiktokConnectContext } from '../../tiktok-channel.options';

/** One authorize attempt. The row makes the state single-use and keeps the host's context server-side. */
@Entity({ name: 'tiktok_oauth_states' })
export class TiktokOauthStateEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'tiktok_oauth_states_pkey' })
  nonce: string;

  @Column({ type: 'jsonb' })
  context: TiktokConnectContext;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
