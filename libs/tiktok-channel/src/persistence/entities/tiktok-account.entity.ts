import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { TiktokAccountStatus } from '../../host/helpdesk-port';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

/**
 * A connected TikTok Business account. Token columns hold ciphertext only (see TokenCipher).
 *
 * Every key, index and check below carries the name PostgreSQL gave it when the migration
 * created it, so TypeORM's schema builder recognises it instead of dropping it.
 */
@Entity({ name: 'tiktok_accounts' })
@Unique('tiktok_accounts_business_id_key', ['businessId'])
@Unique('tiktok_accounts_host_inbox_id_key', ['hostInboxId'])
@Check(
  'tiktok_accounts_status_check',
  `status IN ('active', 'reauthorization_required', 'disconnected')`,
)
// The refresh sweep looks for active accounts nearing expiry.
@Index('tiktok_accounts_refresh_idx', ['accessTokenExpiresAt'], { where: `status = 'active'` })
export class TiktokAccountEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'tiktok_accounts_pkey' })
  id: string;

  @Column({ type: 'text' })
  tenant: string;

  @Column({ name: 'host_inbox_id', type: 'text', nullable: true })
  hostInboxId: string | null;

  /** TikTok's open_id, the business_id of every API call. */
  @Column({ name: 'business_id', type: 'text' })
  businessId: string;

  @Column({ type: 'text' })
  username: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'profile_image_url', type: 'text', nullable: true })
  profileImageUrl: string | null;

  @Column({ type: 'text' })
  status: TiktokAccountStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ name: 'access_token_enc', type: 'text' })
  accessTokenEnc: string;

  @Column({ name: 'refresh_token_enc', type: 'text' })
  refreshTokenEnc: string;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz' })
  accessTokenExpiresAt: Date;

  @Column({ name: 'refresh_token_expires_at', type: 'timestamptz' })
  refreshTokenExpiresAt: Date;

  @Column({ name: 'refresh_failures', type: 'int', default: 0 })
  refreshFailures: number;

  @Column({ name: 'last_refreshed_at', type: 'timestamptz', nullable: true })
  lastRefreshedAt: Date | null;

  /** Last time the host was warned that the refresh token is about to expire (at most daily). */
  @Column({ name: 'refresh_expiry_warned_at', type: 'timestamptz', nullable: true })
  refreshExpiryWarnedAt: Date | null;

  /** A refresh in progress holds the account until then (see TiktokTokenService). */
  @Column({ name: 'refresh_lease_until', type: 'timestamptz', nullable: true })
  refreshLeaseUntil: Date | null;

  @Column({ name: 'refresh_lease_owner', type: 'uuid', nullable: true })
  refreshLeaseOwner: string | null;

  /** After a transient refresh failure the sweep leaves the account alone until then. */
  @Column({ name: 'refresh_retry_at', type: 'timestamptz', nullable: true })
  refreshRetryAt: Date | null;

  /** When the account was last connected (or reconnected) through the consent page. */
  @Column({ name: 'connected_at', type: 'timestamptz', default: () => 'now()' })
  connectedAt: Date;

  /** When the current run of failed refreshes began; null while refreshes succeed. */
  @Column({ name: 'refresh_failing_since', type: 'timestamptz', nullable: true })
  refreshFailingSince: Date | null;

  /**
   * When TikTok began refusing the refresh token (40103/40107) in the current run of failures;
   * the account is flagged once refusals have lasted `refreshRefusalGraceSeconds`.
   */
  @Column({ name: 'refresh_refused_since', type: 'timestamptz', nullable: true })
  refreshRefusedSince: Date | null;

  /** The last refresh failure in words (code, HTTP status, TikTok's message; never a token). Kept after a recovery. */
  @Column({ name: 'last_refresh_error', type: 'text', nullable: true })
  lastRefreshError: string | null;

  @Column({ name: 'last_refresh_error_at', type: 'timestamptz', nullable: true })
  lastRefreshErrorAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
