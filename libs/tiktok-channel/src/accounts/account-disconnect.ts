import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokRevocation } from '../host/tiktok-events';
import { queryRows } from '../persistence/sql';
import type { TokenCipher } from '../tokens/token-cipher';

interface TokenColumns {
  access_token_enc: string;
  refresh_token_enc: string;
  access_token_expires_at: Date;
  refresh_token_expires_at: Date;
  refresh_lease_until: Date | null;
}

const LEASE_POLL_MS = 100;
/** Access token expired or invalid, refresh token expired or invalid. */
const TOKEN_GONE_CODES = new Set([40102, 40103, 40105, 40107]);

/**
 * The TikTok side of a disconnect, once the account is marked `disconnected` (so no new refresh
 * can start and no call uses it): wait out a refresh already in flight, revoke the grant with the
 * latest token, then wipe the stored tokens. No transaction or connection is held while TikTok answers.
 */
export async function revokeAndWipe(
  dataSource: DataSource,
  client: TiktokApiClient,
  cipher: TokenCipher,
  accountId: string,
  maxLeaseWaitMs: number,
): Promise<TiktokRevocation> {
  const tokens = await tokensOnceUnleased(dataSource, accountId, maxLeaseWaitMs);
  const revocation =
    tokens.access_token_enc === '' ? 'already_invalid' : await revoke(client, cipher, tokens);
  await dataSource.query(
    `UPDATE tiktok_accounts
        SET access_token_enc = '', refresh_token_enc = '', refresh_lease_until = NULL,
            refresh_lease_owner = NULL, refresh_retry_at = NULL, updated_at = now()
      WHERE id = $1 AND status = 'disconnected'`,
    [accountId],
  );
  return revocation;
}

/** The stored tokens, after any refresh that was running has written its new pair. */
async function tokensOnceUnleased(
  dataSource: DataSource,
  accountId: string,
  maxWaitMs: number,
): Promise<TokenColumns> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const [row] = await queryRows<TokenColumns>(
      dataSource,
      `SELECT access_token_enc, refresh_token_enc, access_token_expires_at, refresh_token_expires_at,
              refresh_lease_until
         FROM tiktok_accounts WHERE id = $1`,
      [accountId],
    );
    const leased = row.refresh_lease_until !== null && row.refresh_lease_until > new Date();
    if (!leased || Date.now() > deadline) return row;
    await sleep(LEASE_POLL_MS);
  }
}

async function revoke(
  client: TiktokApiClient,
  cipher: TokenCipher,
  tokens: TokenColumns,
): Promise<TiktokRevocation> {
  try {
    let accessToken = cipher.decrypt(tokens.access_token_enc);
    const now = Date.now();
    if (
      tokens.access_token_expires_at.getTime() <= now &&
      tokens.refresh_token_expires_at.getTime() > now
    ) {
      // Revoking takes an access token: a lapsed one is renewed first (the pair is wiped right after).
      accessToken = (await client.refreshAccessToken(cipher.decrypt(tokens.refresh_token_enc)))
        .accessToken;
    }
    await client.revokeAccessToken(accessToken);
    return 'revoked';
  } catch (error) {
    // TikTok refusing the token itself means the grant is already gone; anything else (a refused
    // app secret, 40001, or TikTok unreachable) leaves it live.
    if (error instanceof TiktokApiError && TOKEN_GONE_CODES.has(error.code ?? 0)) {
      return 'already_invalid';
    }
    return 'failed';
  }
}
