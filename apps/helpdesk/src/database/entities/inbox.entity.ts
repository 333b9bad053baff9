import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { UUID_PRIMARY_KEY } from './uuid-primary-key';

export type InboxChannelStatus = 'active' | 'reauthorization_required' | 'disconnected';

/** A place conversations arrive in; here always backed by one TikTok Business account. */
@Entity('inboxes')
@Check('inboxes_channel_type_check', `channel_type IN ('tiktok')`)
@Check(
  'inboxes_channel_status_check',
  `channel_status IN ('active', 'reauthorization_required', 'disconnected')`,
)
export class InboxEntity {
  @PrimaryColumn({ ...UUID_PRIMARY_KEY, primaryKeyConstraintName: 'inboxes_pkey' })
  id: string;

  @Column('text')
  tenant: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'channel_type', default: 'tiktok' })
  channelType: 'tiktok';

  @Column('text', { name: 'channel_status', default: 'active' })
  channelStatus: InboxChannelStatus;

  /**
   * The library's account id, so that connecting the same account twice (a retried callback, a
   * crash before the library stored our inbox id) finds this inbox instead of creating another.
   */
  @Index('inboxes_tiktok_account_id_key', { unique: true, where: 'tiktok_account_id IS NOT NULL' })
  @Column('text', { name: 'tiktok_account_id', nullable: true })
  tiktokAccountId: string | null;

  /** The business profile as TikTok last gave it (`business/get`), refreshed from the settings. */
  @Column('text', { name: 'profile_display_name', nullable: true })
  profileDisplayName: string | null;

  /** TikTok's CDN link to the avatar; it expires, which is why the profile can be refreshed. */
  @Column('text', { name: 'profile_image_url', nullable: true })
  profileImageUrl: string | null;

  @Column('timestamptz', { name: 'profile_refreshed_at', nullable: true })
  profileRefreshedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
