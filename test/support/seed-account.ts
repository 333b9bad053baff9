import type { Client } from 'pg';

export interface SeededAccount {
  businessId: string;
  inboxId?: string;
  username?: string;
  /** Sealed with the suite's TokenCipher; 'x' when the test never calls TikTok. */
  accessTokenEnc?: string;
  refreshTokenEnc?: string;
  /** SQL interval from now, e.g. '2 minutes'. Default '1 day'. */
  accessTokenExpiresIn?: string;
}

/** A connected account row, as the OAuth callback would leave it, without going through TikTok. */
export async function seedAccount(sql: Client, account: SeededAccount): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO tiktok_accounts (tenant, host_inbox_id, business_id, username, display_name, status,
       access_token_enc, refresh_token_enc, access_token_expires_at, refresh_token_expires_at)
     VALUES ('t1', $1, $2, $3, $3, 'active', $4, $5, now() + $6::interval, now() + interval '1 year')
     RETURNING id`,
    [
      account.inboxId ?? `inbox-${account.businessId}`,
      account.businessId,
      account.username ?? account.businessId,
      account.accessTokenEnc ?? 'x',
      account.refreshTokenEnc ?? 'x',
      account.accessTokenExpiresIn ?? '1 day',
    ],
  );
  return rows[0].id;
}
