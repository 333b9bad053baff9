import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TiktokAccountsService } from '../accounts/tiktok-accounts.service';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokTokenGrant } from '../api/tiktok-api.types';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import {
  TiktokEvents,
  type RefreshFailingEvent,
  type RefreshRecoveredEvent,
  type RefreshTokenExpiringEvent,
} from '../host/tiktok-events';
import { Batcher } from '../persistence/batcher';
import { queryRows } from '../persistence/sql';
import { TIKTOK_API_CLIENT, TIKTOK_TOKEN_CIPHER } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TokenCipher } from './token-cipher';
import { classifyRefreshFailure, describeRefreshFailure } from './refresh-failure';
import { pumpRefreshes } from './refresh-pump';
import { TiktokReauthorizationRequiredError, TiktokRefreshFailedError } from './token.errors';

/** What a call needs of the account to use its token. */
type CurrentTokenRow = Pick<
  TokenRow,
  'status' | 'status_reason' | 'access_token_enc' | 'access_token_expires_at'
>;

interface TokenRow {
  status: string;
  status_reason: string | null;
  access_token_enc: string;
  access_token_expires_at: Date;
  refresh_lease_until: Date | null;
  /** Computed by PostgreSQL, so the app's clock does not decide. */
  backing_off: boolean;
  refresh_retry_at: Date | null;
  refresh_failures: number;
  last_refresh_error: string | null;
}

/** A refresh this caller may run: the account's lease is ours until we release it. */
interface RefreshClaim {
  id: string;
  owner: string;
  refresh_token_enc: string;
  /** Failed refreshes in a row when claimed; only the lease holder changes it meanwhile. */
  refresh_failures: number;
}

/** A token and its stored (sealed) form: the sealed form tells whether it changed since. */
interface SealedToken {
  token: string;
  sealed: string;
}

/** How long before a refresh token expires the host is warned. */
const REFRESH_TOKEN_WARNING_SECONDS = 7 * 24 * 60 * 60;
/** How often a caller waiting for another process's refresh looks again. */
const LEASE_POLL_MS = 100;
/** After a transient refresh failure the sweep leaves the account alone this long, doubling. */
const RETRY_BASE_SECONDS = 30;
const RETRY_MAX_SECONDS = 3600;

/** TikTok's answer to a refresh; `at` is when it came (lifetimes count from then). */
type RefreshAnswer = { grant: TiktokTokenGrant; at: Date } | { error: unknown };

/** What storing a failed refresh tells the caller. */
interface RecordedFailure {
  refresh_failures: number;
  host_inbox_id: string | null;
  refresh_failing_since: Date;
  refresh_retry_at: Date;
  /** This failure flagged the account: TikTok refused its refresh token for the whole grace. */
  flagged: boolean;
}

/**
 * The only way the library gets an access token. Tokens are refreshed when they come within
 * `refreshLeadSeconds` of expiry, and one account is refreshed by one caller at a time across every
 * process: TikTok's refresh tokens are single-use, so two concurrent refreshes would make the loser
 * invalidate the winner's grant.
 *
 * The guard is a lease on the account row (`refresh_lease_until`, `refresh_lease_owner`), taken
 * and released by single statements, so no transaction and no pool connection is held while TikTok
 * answers, and nobody waits on a row lock. The lease outlives the request timeout several times,
 * so it only lapses when its holder died mid-call.
 */
@Injectable()
export class TiktokTokenService {
  private readonly logger = new Logger('TiktokChannel');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_TOKEN_CIPHER) private readonly cipher: TokenCipher,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly accounts: TiktokAccountsService,
    private readonly events: TiktokEventPublisher,
  ) {}

  /**
   * Every TikTok call reads the account's current token first; a busy process sends hundreds at
   * once (one per outbound part), so the reads that arrive together share one statement.
   */
  private readonly currentTokenReads = new Batcher<string, CurrentTokenRow | null>(
    (ids) => this.readCurrentTokens(ids),
    { name: 'current token', maxBatch: 500, maxInFlight: 2 },
  );

  /** Encrypted columns for a fresh grant, so every writer stores tokens the same way. */
  sealGrant(grant: TiktokTokenGrant, now = new Date()) {
    return {
      accessTokenEnc: this.cipher.encrypt(grant.accessToken),
      refreshTokenEnc: this.cipher.encrypt(grant.refreshToken),
      accessTokenExpiresAt: new Date(now.getTime() + grant.expiresIn * 1000),
      refreshTokenExpiresAt: new Date(now.getTime() + grant.refreshTokenExpiresIn * 1000),
    };
  }

  async getAccessToken(accountId: string): Promise<string> {
    return (await this.currentToken(accountId)).token;
  }

  /**
   * Runs a TikTok call with the account's token. When TikTok says the token expired or is invalid,
   * the token is refreshed once and the call retried once; a second refusal means the grant is gone.
   */
  async withAccessToken<T>(
    accountId: string,
    call: (accessToken: string) => Promise<T>,
  ): Promise<T> {
    const { token, sealed } = await this.currentToken(accountId);
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof TiktokApiError)) throw error;
      if (error.errorClass === 'auth_revoked') {
        await this.accounts.markReauthorizationRequired(
          accountId,
          `TikTok refused the grant (code ${error.code})`,
        );
        throw new TiktokReauthorizationRequiredError(accountId, error.message);
      }
      if (error.errorClass !== 'auth_expired') throw error;
      const fresh = await this.refreshSealed(accountId, sealed);
      try {
        return await call(fresh.token);
      } catch (retryError) {
        if (
          retryError instanceof TiktokApiError &&
          ['auth_expired', 'auth_revoked'].includes(retryError.errorClass)
        ) {
          await this.accounts.markReauthorizationRequired(
            accountId,
            'TikTok refused a freshly refreshed token',
          );
          throw new TiktokReauthorizationRequiredError(accountId, retryError.message);
        }
        throw retryError;
      }
    }
  }

  /**
   * A fresh token for the account. Takes the account's refresh lease and refreshes, or, when another
   * caller holds it, waits for that refresh and uses its result instead of spending the
   * (single-use) refresh token again.
   *
   * Without options it refreshes only within the lead time of expiry. With `staleAccessToken` (a
   * token TikTok just refused) it refreshes unless the stored token already changed.
   */
  async refresh(accountId: string, options: { staleAccessToken?: string } = {}): Promise<string> {
    if (options.staleAccessToken === undefined) {
      return (await this.refreshSealed(accountId)).token;
    }
    const row = await this.readTokenRow(accountId);
    if (row.status !== 'active') {
      throw new TiktokReauthorizationRequiredError(accountId, row.status_reason ?? row.status);
    }
    const current = this.cipher.decrypt(row.access_token_enc);
    if (current !== options.staleAccessToken) return current;
    return (await this.refreshSealed(accountId, row.access_token_enc)).token;
  }

  /**
   * Refreshes every active account near expiry, for the background sweep: at most
   * `tokenRefreshConcurrency` TikTok calls out at once, due accounts claimed with `SKIP LOCKED` only
   * for free call slots (so any number of processes split the work without waiting on one another,
   * and a process whose calls hang holds no more accounts than it calls for), and the answers
   * stored in batches while the next calls are out (see `pumpRefreshes`).
   */
  async refreshDueAccounts(): Promise<{ refreshed: number; failed: number }> {
    return pumpRefreshes<RefreshClaim, RefreshAnswer>({
      slots: this.config.tokenRefreshConcurrency,
      claim: (max) => this.claimDue(max),
      call: (claim) => this.callRefresh(claim),
      store: (batch) => this.storeSweepAnswers(batch),
    });
  }

  /**
   * Tells the host, at most once a day per account, that a refresh token expires within the
   * warning window: once it lapses only a person reconnecting can restore the account, so the host
   * gets the chance to ask for that before messages stop.
   */
  async warnExpiringRefreshTokens(): Promise<number> {
    const rows = await queryRows<{
      id: string;
      host_inbox_id: string;
      refresh_token_expires_at: Date;
    }>(
      this.dataSource,
      `UPDATE tiktok_accounts SET refresh_expiry_warned_at = now()
        WHERE id IN (
          SELECT id FROM tiktok_accounts
           WHERE status = 'active' AND host_inbox_id IS NOT NULL
             AND refresh_token_expires_at < now() + make_interval(secs => $1)
             AND (refresh_expiry_warned_at IS NULL OR refresh_expiry_warned_at < now() - interval '1 day')
           FOR UPDATE SKIP LOCKED)
        RETURNING id, host_inbox_id, refresh_token_expires_at`,
      [REFRESH_TOKEN_WARNING_SECONDS],
    );
    for (const row of rows) {
      this.events.publish<RefreshTokenExpiringEvent>(TiktokEvents.RefreshTokenExpiring, {
        inboxId: row.host_inbox_id,
        accountId: row.id,
        refreshTokenExpiresAt: row.refresh_token_expires_at,
      });
    }
    return rows.length;
  }

  private async currentToken(accountId: string): Promise<SealedToken> {
    const account = await this.currentTokenReads.call(accountId);
    if (!account) throw new TiktokReauthorizationRequiredError(accountId, 'account not found');
    if (account.status !== 'active') {
      throw new TiktokReauthorizationRequiredError(
        accountId,
        account.status_reason ?? account.status,
      );
    }
    if (!this.isNearExpiry(account.access_token_expires_at)) {
      return {
        token: this.cipher.decrypt(account.access_token_enc),
        sealed: account.access_token_enc,
      };
    }
    return this.refreshSealed(accountId);
  }

  /** The stored tokens of several accounts in one statement (see `currentTokenReads`). */
  private async readCurrentTokens(accountIds: string[]): Promise<Array<CurrentTokenRow | null>> {
    const rows = await queryRows<CurrentTokenRow & { id: string }>(
      this.dataSource,
      `SELECT id, status, status_reason, access_token_enc, access_token_expires_at
         FROM tiktok_accounts WHERE id = ANY($1::uuid[])`,
      [[...new Set(accountIds)]],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return accountIds.map((id) => byId.get(id) ?? null);
  }

  private async refreshSealed(accountId: string, staleSealedToken?: string): Promise<SealedToken> {
    const deadline = Date.now() + this.leaseSeconds() * 1000 * 2;
    for (;;) {
      const claim = await this.claimOne(accountId, staleSealedToken);
      if (claim) return this.runRefresh(claim);
      const row = await this.readTokenRow(accountId);
      if (row.status !== 'active') {
        throw new TiktokReauthorizationRequiredError(accountId, row.status_reason ?? row.status);
      }
      const current = {
        token: this.cipher.decrypt(row.access_token_enc),
        sealed: row.access_token_enc,
      };
      const stale = staleSealedToken
        ? row.access_token_enc === staleSealedToken
        : this.isNearExpiry(row.access_token_expires_at);
      if (!stale) return current;
      const leased = row.refresh_lease_until !== null && row.refresh_lease_until > new Date();
      if (!leased) {
        if (!row.backing_off) continue; // released between our two statements: claim again
        // The last refresh failed and its backoff has not run out: calling TikTok again now would
        // only repeat the failure. The stored token may still do meanwhile.
        if (!staleSealedToken && !this.isExpired(row.access_token_expires_at)) return current;
        throw new TiktokRefreshFailedError(
          accountId,
          row.refresh_failures,
          row.refresh_retry_at,
          row.last_refresh_error ?? 'unknown',
        );
      }
      // Another caller is refreshing early; the current token still works meanwhile.
      if (!staleSealedToken && !this.isExpired(row.access_token_expires_at)) return current;
      if (Date.now() > deadline) {
        throw new TiktokApiError({
          errorClass: 'transient',
          endpoint: 'tt_user/oauth2/refresh_token/',
          message: `Waited too long for another process to refresh TikTok account ${accountId}`,
        });
      }
      await sleep(LEASE_POLL_MS);
    }
  }

  /** Takes the lease of one account if it still needs a refresh and nobody else holds it. */
  private async claimOne(
    accountId: string,
    staleSealedToken: string | undefined,
  ): Promise<RefreshClaim | null> {
    const owner = randomUUID();
    const [row] = await queryRows<RefreshClaim>(
      this.dataSource,
      `UPDATE tiktok_accounts
          SET refresh_lease_until = now() + make_interval(secs => $2), refresh_lease_owner = $3
        WHERE id = $1 AND status = 'active'
          AND (refresh_lease_until IS NULL OR refresh_lease_until < now())
          AND (refresh_retry_at IS NULL OR refresh_retry_at <= now())
          AND (CASE WHEN $4::text IS NULL
                    THEN access_token_expires_at < now() + make_interval(secs => $5)
                    ELSE access_token_enc = $4 END)
        RETURNING id, refresh_lease_owner AS owner, refresh_token_enc, refresh_failures`,
      [accountId, this.leaseSeconds(), owner, staleSealedToken ?? null, this.leadSeconds()],
    );
    return row ?? null;
  }

  /** Takes the leases of up to `max` of the most urgent due accounts nobody holds, skipping rows others lock. */
  private async claimDue(max: number): Promise<RefreshClaim[]> {
    return queryRows<RefreshClaim>(
      this.dataSource,
      `UPDATE tiktok_accounts
          SET refresh_lease_until = now() + make_interval(secs => $1), refresh_lease_owner = $2
        WHERE id = ANY(ARRAY(
          SELECT id FROM tiktok_accounts
           WHERE status = 'active'
             AND access_token_expires_at < now() + make_interval(secs => $3)
             AND (refresh_lease_until IS NULL OR refresh_lease_until < now())
             AND (refresh_retry_at IS NULL OR refresh_retry_at <= now())
           ORDER BY access_token_expires_at
           LIMIT $4 FOR UPDATE SKIP LOCKED))
        RETURNING id, refresh_lease_owner AS owner, refresh_token_enc, refresh_failures`,
      [this.leaseSeconds(), randomUUID(), this.leadSeconds(), max],
    );
  }

  /**
   * Stores a batch of the sweep's answers: every new pair in one statement, failures one by one
   * (they are rare and each decides its account's fate). Logs what failed.
   */
  private async storeSweepAnswers(
    batch: Array<{ claim: RefreshClaim; answer: RefreshAnswer }>,
  ): Promise<{ refreshed: number; failed: number }> {
    const granted = batch.flatMap(({ claim, answer }) =>
      'grant' in answer ? [{ claim, grant: answer.grant, at: answer.at }] : [],
    );
    const outcomes = await Promise.allSettled([
      granted.length > 0 ? this.storeGrants(granted) : Promise.resolve(),
      ...batch.flatMap(({ claim, answer }) =>
        'error' in answer ? [this.recordFailure(claim, answer.error)] : [],
      ),
    ]);
    let failed = 0;
    const [grants, ...failures] = outcomes;
    if (grants.status === 'rejected') {
      failed += granted.length;
      this.logger.error(
        `Storing ${granted.length} refreshed TikTok token pairs failed: ${(grants.reason as Error).message}`,
      );
    }
    for (const failure of failures) {
      failed++;
      if (failure.status === 'rejected') {
        this.logger.warn(
          `Refreshing a TikTok account failed: ${(failure.reason as Error).message}`,
        );
      }
    }
    return { refreshed: grants.status === 'fulfilled' ? granted.length : 0, failed };
  }

  /** `storeGrant` for many accounts in one statement. */
  private async storeGrants(
    granted: Array<{ claim: RefreshClaim; grant: TiktokTokenGrant; at: Date }>,
  ): Promise<void> {
    const sealed = granted.map(({ grant, at }) => this.sealGrant(grant, at));
    const rows = await queryRows<{ id: string; host_inbox_id: string | null }>(
      this.dataSource,
      `UPDATE tiktok_accounts a
          SET access_token_enc = v.access_token_enc, refresh_token_enc = v.refresh_token_enc,
              access_token_expires_at = v.access_token_expires_at,
              refresh_token_expires_at = v.refresh_token_expires_at,
              scopes = string_to_array(v.scopes, ' '), refresh_failures = 0, refresh_retry_at = NULL,
              refresh_failing_since = NULL, refresh_refused_since = NULL,
              refresh_lease_until = NULL, refresh_lease_owner = NULL,
              last_refreshed_at = now(), updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])
              AS v(id, access_token_enc, refresh_token_enc, access_token_expires_at, refresh_token_expires_at, scopes)
        WHERE a.id = v.id
        RETURNING a.id, a.host_inbox_id`,
      [
        granted.map(({ claim }) => claim.id),
        sealed.map((s) => s.accessTokenEnc),
        sealed.map((s) => s.refreshTokenEnc),
        sealed.map((s) => s.accessTokenExpiresAt),
        sealed.map((s) => s.refreshTokenExpiresAt),
        // Scope names never hold spaces (TikTok separates them with commas).
        granted.map(({ grant }) => grant.scopes.join(' ')),
      ],
    );
    const inboxes = new Map(rows.map((row) => [row.id, row.host_inbox_id]));
    for (const { claim } of granted) this.announceRecovery(claim, inboxes.get(claim.id) ?? null);
  }

  /** Calls TikTok with the lease held (and no connection), then stores the outcome and lets go. */
  private async runRefresh(claim: RefreshClaim): Promise<SealedToken> {
    return this.storeAnswer(claim, await this.callRefresh(claim));
  }

  /** TikTok's answer to a refresh of the claimed account; never throws. */
  private async callRefresh(claim: RefreshClaim): Promise<RefreshAnswer> {
    try {
      const token = this.cipher.decrypt(claim.refresh_token_enc);
      const grant = await this.client.refreshAccessToken(token);
      return { grant, at: new Date() };
    } catch (error) {
      return { error };
    }
  }

  private storeAnswer(claim: RefreshClaim, answer: RefreshAnswer): Promise<SealedToken> {
    return 'grant' in answer
      ? this.storeGrant(claim, answer.grant, answer.at)
      : this.recordFailure(claim, answer.error);
  }

  /** Stores the new pair TikTok just handed out for the claimed account, and lets go of it. */
  private async storeGrant(
    claim: RefreshClaim,
    grant: TiktokTokenGrant,
    at: Date,
  ): Promise<SealedToken> {
    const sealed = this.sealGrant(grant, at);
    // Written whoever holds the lease now: TikTok just accepted our refresh token, so this pair is
    // the only valid one, whatever happened to the lease meanwhile. The run of failures ends here.
    const [row] = await queryRows<{ host_inbox_id: string | null }>(
      this.dataSource,
      `UPDATE tiktok_accounts
          SET access_token_enc = $2, refresh_token_enc = $3, access_token_expires_at = $4,
              refresh_token_expires_at = $5, scopes = $6, refresh_failures = 0, refresh_retry_at = NULL,
              refresh_failing_since = NULL, refresh_refused_since = NULL,
              refresh_lease_until = NULL, refresh_lease_owner = NULL,
              last_refreshed_at = now(), updated_at = now()
        WHERE id = $1
        RETURNING host_inbox_id`,
      [
        claim.id,
        sealed.accessTokenEnc,
        sealed.refreshTokenEnc,
        sealed.accessTokenExpiresAt,
        sealed.refreshTokenExpiresAt,
        grant.scopes,
      ],
    );
    this.announceRecovery(claim, row?.host_inbox_id ?? null);
    return { token: grant.accessToken, sealed: sealed.accessTokenEnc };
  }

  /** After a warning about failing refreshes, tells the host that a refresh worked again. */
  private announceRecovery(claim: RefreshClaim, inboxId: string | null): void {
    if (!inboxId || claim.refresh_failures < this.config.refreshFailureWarningThreshold) return;
    this.events.publish<RefreshRecoveredEvent>(TiktokEvents.RefreshRecovered, {
      inboxId,
      accountId: claim.id,
      failedAttempts: claim.refresh_failures,
    });
  }

  /**
   * Stores a failed refresh and lets go of the lease, in one statement (no transaction around
   * TikTok's call, so nothing rolls the count back). Only TikTok's explicit refusal of the refresh
   * token, repeated for `refreshRefusalGraceSeconds`, flags the account; every other failure is
   * retried with backoff, and the host is warned after `refreshFailureWarningThreshold` in a row.
   */
  private async recordFailure(claim: RefreshClaim, error: unknown): Promise<never> {
    const refused = classifyRefreshFailure(error) === 'refused';
    const detail = describeRefreshFailure(error);
    const grace = this.config.refreshRefusalGraceSeconds;
    // Backoff doubles with each failure in a row. A refusal is tried again no later than when its
    // grace runs out, so a refusal that persists flags the account on time.
    const reason = `refresh refused by TikTok (${detail})`;
    // Flagging happens in this same statement: were it a second one, a sweep worker (here or in
    // another process) could claim the account in between and spend the refresh token again.
    const [row] = await queryRows<RecordedFailure>(
      this.dataSource,
      `UPDATE tiktok_accounts a
          SET refresh_failures = a.refresh_failures + 1,
              refresh_failing_since = COALESCE(a.refresh_failing_since, now()),
              refresh_refused_since = CASE WHEN $3 THEN COALESCE(a.refresh_refused_since, now())
                                           ELSE a.refresh_refused_since END,
              status = CASE WHEN $3 AND a.status = 'active'
                                 AND COALESCE(a.refresh_refused_since, now()) <= now() - make_interval(secs => $5)
                            THEN 'reauthorization_required' ELSE a.status END,
              status_reason = CASE WHEN $3 AND a.status = 'active'
                                 AND COALESCE(a.refresh_refused_since, now()) <= now() - make_interval(secs => $5)
                            THEN $8 ELSE a.status_reason END,
              last_refresh_error = $4, last_refresh_error_at = now(),
              refresh_retry_at = LEAST(
                now() + make_interval(secs => LEAST($6::int, $7::int * power(2, LEAST(a.refresh_failures, 12))::int)),
                CASE WHEN $3 THEN COALESCE(a.refresh_refused_since, now()) + make_interval(secs => $5) END),
              refresh_lease_until = NULL, refresh_lease_owner = NULL, updated_at = now()
         FROM (SELECT id, status FROM tiktok_accounts WHERE id = $1 FOR UPDATE) before
        WHERE a.id = before.id AND a.refresh_lease_owner = $2
        RETURNING a.refresh_failures, a.host_inbox_id, a.refresh_failing_since, a.refresh_retry_at,
                  (before.status = 'active' AND a.status = 'reauthorization_required') AS flagged`,
      [
        claim.id,
        claim.owner,
        refused,
        detail,
        grace,
        RETRY_MAX_SECONDS,
        RETRY_BASE_SECONDS,
        reason,
      ],
    );
    const apiError = error instanceof TiktokApiError ? error : undefined;
    // No row: the lease lapsed and someone else holds the account now; their outcome stands.
    if (!row) throw new TiktokRefreshFailedError(claim.id, 0, null, detail, apiError);

    if (row.flagged) {
      await this.accounts.announceReauthorizationRequired(claim.id, row.host_inbox_id, reason);
      throw new TiktokReauthorizationRequiredError(claim.id, reason);
    }
    if (row.host_inbox_id && row.refresh_failures === this.config.refreshFailureWarningThreshold) {
      this.events.publish<RefreshFailingEvent>(TiktokEvents.RefreshFailing, {
        inboxId: row.host_inbox_id,
        accountId: claim.id,
        consecutiveFailures: row.refresh_failures,
        failingSince: row.refresh_failing_since,
        lastError: detail,
      });
    }
    throw new TiktokRefreshFailedError(
      claim.id,
      row.refresh_failures,
      row.refresh_retry_at,
      detail,
      apiError,
    );
  }

  private async releaseLease(claim: RefreshClaim): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_accounts SET refresh_lease_until = NULL, refresh_lease_owner = NULL
        WHERE id = $1 AND refresh_lease_owner = $2`,
      [claim.id, claim.owner],
    );
  }

  private async readTokenRow(accountId: string): Promise<TokenRow> {
    const [row] = await queryRows<TokenRow>(
      this.dataSource,
      `SELECT status, status_reason, access_token_enc, access_token_expires_at, refresh_lease_until,
              (refresh_retry_at IS NOT NULL AND refresh_retry_at > now()) AS backing_off,
              refresh_retry_at, refresh_failures, last_refresh_error
         FROM tiktok_accounts WHERE id = $1`,
      [accountId],
    );
    if (!row) throw new TiktokReauthorizationRequiredError(accountId, 'account not found');
    return row;
  }

  /** Long enough that only a holder that died mid-call ever lets its lease lapse. */
  private leaseSeconds(): number {
    return Math.max(60, Math.ceil((this.config.requestTimeoutMs / 1000) * 3));
  }

  private leadSeconds(): number {
    return this.config.refreshLeadSeconds;
  }

  private isNearExpiry(expiresAt: Date): boolean {
    return expiresAt.getTime() - Date.now() <= this.config.refreshLeadSeconds * 1000;
  }

  private isExpired(expiresAt: Date): boolean {
    return expiresAt.getTime() <= Date.now();
  }
}
