import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TiktokApiClient } from '../api/tiktok-api.client';
import { isRecord, readId } from '../api/tiktok-api.parse';
import { InboundProcessor } from '../inbound/inbound-processor.service';
import { queryRows } from '../persistence/sql';
import { TIKTOK_API_CLIENT, TIKTOK_TOKEN_CIPHER } from '../tiktok-channel.constants';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import type { TokenCipher } from '../tokens/token-cipher';
import {
  accountTypeCheck,
  messageSyncCheck,
  scopesCheck,
  sendFailuresCheck,
  tokensCheck,
  type DiagnosedAccount,
  type Live,
  type SyncFinding,
} from './account.checks';
import { appChecks, measureSkew, type AppProbe } from './app.checks';
import {
  DATABASE_TIMEOUT_MS,
  databaseCheck,
  eventStats,
  parkedEventsCheck,
  sendStats,
  webhookActivityCheck,
  withTimeout,
} from './database.checks';
import { checkRedirectUri } from './redirect-uri.check';
import {
  buildReport,
  type TiktokDiagnosticCheck,
  type TiktokDiagnosticReport,
} from './tiktok-diagnostic.types';

export interface TiktokDiagnosticsOptions {
  /** Only this tenant's accounts (the app-wide checks still run). */
  tenant?: string;
  /** Only these accounts. */
  accountIds?: string[];
  /** Accounts checked live at TikTok (a few calls each); the rest get the database checks only. Default 25. */
  liveAccountLimit?: number;
}

/** What a health probe needs: cheap, database only, never a TikTok call. */
export interface TiktokHealthSummary {
  database: 'up' | 'down';
  /** Accounts per status, when the database answered. */
  accounts?: Record<'active' | 'reauthorization_required' | 'disconnected', number>;
}

const LIVE_CONCURRENCY = 4;
/** A webhook younger than this may still be on its way. */
const IN_FLIGHT_MS = 10_000;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

type AccountRow = DiagnosedAccount & { access_token_enc: string };

/**
 * The seed's troubleshooting list as code: every check answers ok, warn or fail with one sentence
 * saying what to do, and never a token or a secret. App-wide checks cost one TikTok call
 * (`webhook/list/`: credentials, registration and clock at once); each account costs a few
 * (`token_info`, the profile, its latest conversation). The diagnostics change nothing: they never
 * refresh a token or flag an account, so a run with a wrong configuration cannot harm the app.
 */
@Injectable()
export class TiktokDiagnostics {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TIKTOK_API_CLIENT) private readonly client: TiktokApiClient,
    @Inject(TIKTOK_TOKEN_CIPHER) private readonly cipher: TokenCipher,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly inbound: InboundProcessor,
  ) {}

  async run(options: TiktokDiagnosticsOptions = {}): Promise<TiktokDiagnosticReport> {
    const now = new Date();
    const [probe, database] = await Promise.all([this.probeApp(), databaseCheck(this.dataSource)]);
    const local = this.isLocal();
    const checks: TiktokDiagnosticCheck[] = [
      database,
      ...appChecks(probe, {
        apiBaseUrl: this.config.apiBaseUrl,
        webhookCallbackUrl: this.config.webhookCallbackUrl,
        webhookToleranceSeconds: this.config.webhookToleranceSeconds,
        local,
      }),
      checkRedirectUri({
        redirectUri: this.config.redirectUri,
        local,
        webhookCallbackUrl: this.config.webhookCallbackUrl,
      }),
    ];
    if (database.verdict === 'fail') return buildReport(checks, now);

    const [events, sends, accounts] = await Promise.all([
      eventStats(this.dataSource),
      sendStats(this.dataSource),
      this.accounts(options),
    ]);
    const active = accounts.filter((account) => account.status === 'active');
    const activeSince = active.length
      ? new Date(Math.min(...active.map((account) => account.connected_at.getTime())))
      : null;
    checks.push(parkedEventsCheck(events), webhookActivityCheck(events, activeSince, now));

    // TikTok's timestamps are brought to our clock only by a skew the measurement can tell from noise.
    const measured = probe.ok ? measureSkew(probe.result) : null;
    const skewMs =
      measured && Math.abs(measured.skewMs) > measured.uncertaintyMs ? measured.skewMs : 0;
    const limit = options.liveAccountLimit ?? 25;
    const perAccount = await mapLimited(accounts, LIVE_CONCURRENCY, (account, index) =>
      this.accountChecks(account, index < limit && account.status === 'active', {
        skewMs,
        now,
        lastWebhookAt: events.byBusiness.get(account.business_id),
        sends,
      }),
    );
    checks.push(...perAccount.flat());
    return buildReport(checks, now);
  }

  /** Database reachable (and migrated), with accounts per status. Never calls TikTok. */
  async health(): Promise<TiktokHealthSummary> {
    const database = await databaseCheck(this.dataSource);
    if (database.verdict !== 'ok') return { database: 'down' };
    const rows = await withTimeout(
      queryRows<{ status: string; count: number }>(
        this.dataSource,
        `SELECT status, count(*)::int AS count FROM tiktok_accounts GROUP BY status`,
      ),
      DATABASE_TIMEOUT_MS,
      'PostgreSQL',
    );
    const accounts = { active: 0, reauthorization_required: 0, disconnected: 0 };
    for (const row of rows) {
      if (row.status in accounts) accounts[row.status as keyof typeof accounts] = row.count;
    }
    return { database: 'up', accounts };
  }

  /**
   * Puts parked (`failed`) webhook events back in the queue with fresh attempts, once their cause
   * is fixed, and starts processing them. Returns how many were requeued.
   */
  async requeueParkedEvents(): Promise<number> {
    const rows = await queryRows(
      this.dataSource,
      `UPDATE tiktok_webhook_events
          SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = now()
        WHERE status = 'failed' RETURNING id`,
    );
    if (rows.length > 0) this.inbound.kick();
    return rows.length;
  }

  private async probeApp(): Promise<AppProbe> {
    try {
      return { ok: true, result: await this.client.checkApp() };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** A sandbox on this machine: http and ports are fine, and it only runs with the demo. */
  private isLocal(): boolean {
    try {
      return LOOPBACK.test(new URL(this.config.apiBaseUrl).hostname);
    } catch {
      return false;
    }
  }

  private async accounts(options: TiktokDiagnosticsOptions): Promise<AccountRow[]> {
    return queryRows<AccountRow>(
      this.dataSource,
      `SELECT id, business_id, username, host_inbox_id, status, status_reason, scopes,
              access_token_enc, access_token_expires_at, refresh_token_expires_at,
              refresh_failures, refresh_retry_at, refresh_failing_since, refresh_refused_since,
              last_refresh_error, connected_at
         FROM tiktok_accounts
        WHERE ($1::text IS NULL OR tenant = $1) AND ($2::uuid[] IS NULL OR id = ANY($2))
        ORDER BY (status = 'active') DESC, connected_at DESC`,
      [options.tenant ?? null, options.accountIds ?? null],
    );
  }

  private async accountChecks(
    account: AccountRow,
    live: boolean,
    context: {
      skewMs: number;
      now: Date;
      lastWebhookAt: Date | undefined;
      sends: Awaited<ReturnType<typeof sendStats>>;
    },
  ): Promise<TiktokDiagnosticCheck[]> {
    const sending = sendFailuresCheck(account, context.sends);
    const stored = () =>
      scopesCheck(
        account,
        account.scopes,
        this.config.requiredScopes,
        this.config.scopes,
        'stored',
      );
    if (!live) return [tokensCheck(account, undefined, context.now), stored(), sending];

    const token = this.usableToken(account, context.now);
    if (!token.ok) {
      return [tokensCheck(account, token, context.now), stored(), sending];
    }
    const [info, profile, sync] = await Promise.all([
      attempt(() => this.client.getTokenInfo(token.value)),
      attempt(
        async () =>
          (await this.client.getBusinessProfile(token.value, account.business_id)).accountType,
      ),
      attempt(() => this.syncFinding(account, token.value, context.skewMs, context.now)),
    ]);
    return [
      tokensCheck(account, info, context.now),
      info.ok
        ? scopesCheck(
            account,
            info.value.scopes,
            this.config.requiredScopes,
            this.config.scopes,
            'tiktok',
          )
        : stored(),
      accountTypeCheck(account, profile),
      messageSyncCheck(account, sync, context.lastWebhookAt),
      sending,
    ];
  }

  /** The stored access token, unless it lapsed: the diagnostics never refresh one themselves. */
  private usableToken(account: AccountRow, now: Date): Live<string> {
    if (account.access_token_expires_at <= now) {
      return {
        ok: false,
        error: new Error(
          `the access token expired at ${account.access_token_expires_at.toISOString()} and has not been refreshed (is the token refresh job running?)`,
        ),
      };
    }
    try {
      return { ok: true, value: this.cipher.decrypt(account.access_token_enc) };
    } catch (error) {
      return {
        ok: false,
        error: new Error(`the stored token cannot be decrypted: ${(error as Error).message}`),
      };
    }
  }

  /**
   * Whether TikTok's latest message of the account's most recent conversation arrived here as a
   * webhook (every signed webhook is stored, whatever happens to it next). Only messages written
   * since the account was connected, and young enough to be within the retention, are compared.
   */
  private async syncFinding(
    account: AccountRow,
    token: string,
    skewMs: number,
    now: Date,
  ): Promise<SyncFinding> {
    const pages = await Promise.all(
      (['STRANGER', 'SINGLE'] as const).map((conversationType) =>
        this.client.listConversations(token, {
          businessId: account.business_id,
          conversationType,
          limit: 20,
        }),
      ),
    );
    const latest = pages
      .flatMap((page) => page.conversations)
      .sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (!latest)
      return {
        kind: 'nothing_to_compare',
        reason: 'TikTok has no conversation for this account yet.',
      };

    const history = await this.client.listMessages(token, {
      businessId: account.business_id,
      conversationId: latest.conversationId,
    });
    const since = Math.max(
      account.connected_at.getTime(),
      now.getTime() - this.config.retention.webhookEventDays * 86_400_000,
    );
    const newest = history.messages
      .filter(isRecord)
      .map((message) => ({
        id: readId(message, 'message_id'),
        // TikTok's clock, brought to ours.
        at: Number(message['timestamp']) - skewMs,
      }))
      .filter(
        (message): message is { id: string; at: number } =>
          message.id !== undefined && Number.isFinite(message.at) && message.at > since,
      )
      .sort((a, b) => b.at - a.at)[0];
    if (!newest) {
      return {
        kind: 'nothing_to_compare',
        reason: 'No message at TikTok since the account was connected.',
      };
    }
    // The keys intake stores messages under (see webhook/webhook-envelope.ts), either direction.
    const keys = ['im_receive_msg', 'im_send_msg'].map(
      (event) => `${event}:${account.business_id}:${newest.id}`,
    );
    const found = await queryRows(
      this.dataSource,
      `SELECT 1 FROM tiktok_webhook_events WHERE dedupe_key = ANY($1::text[]) LIMIT 1`,
      [keys],
    );
    const messageAt = new Date(newest.at);
    if (found.length > 0) return { kind: 'arrived', messageAt };
    return {
      kind: 'missing',
      messageAt,
      conversationId: latest.conversationId,
      inFlight: now.getTime() - newest.at < IN_FLIGHT_MS,
    };
  }
}

async function attempt<T>(work: () => Promise<T>): Promise<Live<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `map` with at most `limit` calls running at once, results in input order. */
async function mapLimited<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
