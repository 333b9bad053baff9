import type { TiktokAccountView } from 'tiktok-channel';
import type { InboxChannelStatus, InboxEntity } from '../database/entities/inbox.entity';

/** An inbox as the REST API shows it; `channel` comes from the TikTok library's account. */
export interface InboxView {
  id: string;
  name: string;
  channel: {
    type: 'tiktok';
    businessId: string | null;
    username: string | null;
    status: InboxChannelStatus;
    accessTokenExpiresAt: string | null;
    refreshTokenExpiresAt: string | null;
    /** The business's display name and avatar, as TikTok last gave them. */
    displayName: string | null;
    profileImageUrl: string | null;
    /** When the profile was last fetched from TikTok; null while only the connect-time copy exists. */
    profileRefreshedAt: string | null;
  };
}

/** `account` is missing when the library no longer knows the account (e.g. disconnected and removed). */
export function toInboxView(inbox: InboxEntity, account: TiktokAccountView | undefined): InboxView {
  return {
    id: inbox.id,
    name: inbox.name,
    channel: {
      type: 'tiktok',
      businessId: account?.businessId ?? null,
      username: account?.username ?? null,
      // The library's account is the source of truth; the inbox keeps a copy for when it is gone.
      status: account?.status ?? inbox.channelStatus,
      accessTokenExpiresAt: account?.accessTokenExpiresAt.toISOString() ?? null,
      refreshTokenExpiresAt: account?.refreshTokenExpiresAt.toISOString() ?? null,
      // A refreshed copy wins over what the library stored when the account was connected.
      displayName: inbox.profileDisplayName ?? account?.displayName ?? null,
      profileImageUrl: inbox.profileImageUrl ?? account?.profileImageUrl ?? null,
      profileRefreshedAt: inbox.profileRefreshedAt?.toISOString() ?? null,
    },
  };
}
