import type { TiktokAccountView } from '../host/helpdesk-port';
import type { TiktokAccountEntity } from '../persistence/entities/tiktok-account.entity';

/** The host-facing picture of an account: everything but the tokens. */
export function toAccountView(account: TiktokAccountEntity): TiktokAccountView {
  return {
    accountId: account.id,
    businessId: account.businessId,
    username: account.username,
    displayName: account.displayName,
    profileImageUrl: account.profileImageUrl ?? undefined,
    status: account.status,
    scopes: account.scopes,
    accessTokenExpiresAt: account.accessTokenExpiresAt,
    refreshTokenExpiresAt: account.refreshTokenExpiresAt,
  };
}
