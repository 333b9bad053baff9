import type { DataSource } from 'typeorm';
import { tiktokChannelMigrations } from '../persistence';
import { WAITING_FOR_CONNECT } from '../inbound/inbound-constants';
import { queryRows } from '../persistence/sql';
import type { TiktokDiagnosticCheck } from './tiktok-diagnostic.types';

/** A database that does not answer within this is as good as down for a health probe. */
export const DATABASE_TIMEOUT_MS = 3000;
/** Events waiting longer than this for processing mean processing is stuck or far behind. */
const LATE_PENDING_MINUTES = 10;
/** With connected accounts, a day without a single webhook is worth a look. */
const QUIET_HOURS = 24;

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reachable, and every channel migration has run. */
export async function databaseCheck(dataSource: DataSource): Promise<TiktokDiagnosticCheck> {
  const title = 'Database';
  try {
    if (!dataSource.isInitialized) throw new Error('the data source is not connected');
    await withTimeout(dataSource.query('SELECT 1'), DATABASE_TIMEOUT_MS, 'PostgreSQL');
  } catch (error) {
    return {
      id: 'database',
      title,
      verdict: 'fail',
      summary: `PostgreSQL cannot be reached (${(error as Error).message}); nothing is stored or processed.`,
      fix: 'Check that PostgreSQL runs and that the host’s database URL points at it.',
    };
  }
  const missing = await missingMigrations(dataSource);
  if (missing.length > 0) {
    return {
      id: 'database',
      title,
      verdict: 'fail',
      summary: `The channel’s migrations have not all run: ${missing.join(', ')}.`,
      fix: 'Run the host’s migrations with tiktokChannelMigrations (TypeORM migrationsRun: true does it at start).',
    };
  }
  return {
    id: 'database',
    title,
    verdict: 'ok',
    summary: 'PostgreSQL answers and the channel’s tables are up to date.',
  };
}

async function missingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const [found] = await queryRows<{ exists: boolean }>(
    dataSource,
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [table],
  );
  const names = tiktokChannelMigrations.map((migration) => new migration().name ?? migration.name);
  if (!found?.exists) {
    // A schema built by synchronize has no migrations table: the tables themselves must be there.
    const [tables] = await queryRows<{ exists: boolean }>(
      dataSource,
      `SELECT to_regclass('tiktok_accounts') IS NOT NULL AS exists`,
    );
    return tables?.exists ? [] : names;
  }
  const ran = await queryRows<{ name: string }>(
    dataSource,
    `SELECT name FROM ${dataSource.driver.escape(table)}`,
  );
  const done = new Set(ran.map((row) => row.name));
  return names.filter((name) => !done.has(name));
}

/** What the diagnostics know about webhook events, per business, from one pass over the table. */
export interface EventStats {
  lastReceivedAt: Date | null;
  byBusiness: Map<string, Date>;
  parked: number;
  oldestParkedAt: Date | null;
  latestParkedError: string | null;
  latePending: number;
}

export async function eventStats(dataSource: DataSource): Promise<EventStats> {
  const rows = await queryRows<{
    business_id: string | null;
    last_received: Date;
    parked: number;
    oldest_parked: Date | null;
    parked_error: string | null;
    late_pending: number;
  }>(
    dataSource,
    `SELECT business_id, max(received_at) AS last_received,
            count(*) FILTER (WHERE status = 'failed')::int AS parked,
            min(received_at) FILTER (WHERE status = 'failed') AS oldest_parked,
            (array_agg(last_error ORDER BY id DESC) FILTER (WHERE status = 'failed'))[1] AS parked_error,
            count(*) FILTER (WHERE status = 'pending'
              AND received_at < now() - make_interval(mins => $1)
              -- kept on purpose for a business that has not connected yet: not a stall
              AND last_error IS DISTINCT FROM $2)::int AS late_pending
       FROM tiktok_webhook_events GROUP BY business_id`,
    [LATE_PENDING_MINUTES, WAITING_FOR_CONNECT],
  );
  const stats: EventStats = {
    lastReceivedAt: null,
    byBusiness: new Map(),
    parked: 0,
    oldestParkedAt: null,
    latestParkedError: null,
    latePending: 0,
  };
  for (const row of rows) {
    if (row.business_id) stats.byBusiness.set(row.business_id, row.last_received);
    if (!stats.lastReceivedAt || row.last_received > stats.lastReceivedAt) {
      stats.lastReceivedAt = row.last_received;
    }
    stats.parked += row.parked;
    stats.latePending += row.late_pending;
    if (row.oldest_parked && (!stats.oldestParkedAt || row.oldest_parked < stats.oldestParkedAt)) {
      stats.oldestParkedAt = row.oldest_parked;
    }
    stats.latestParkedError ??= row.parked_error;
  }
  return stats;
}

export const REQUEUE_FIX =
  'Fix the cause the error names, then requeue them with TiktokDiagnostics.requeueParkedEvents() (the demo: npm run doctor -- --requeue-parked).';

export function parkedEventsCheck(stats: EventStats): TiktokDiagnosticCheck {
  const title = 'Parked events';
  const facts = {
    parked: stats.parked,
    oldestParkedAt: stats.oldestParkedAt?.toISOString() ?? null,
    latePending: stats.latePending,
  };
  if (stats.parked > 0) {
    const error = (stats.latestParkedError ?? 'no error recorded').slice(0, 200);
    return {
      id: 'parked_events',
      title,
      verdict: 'fail',
      summary: `${stats.parked} webhook event(s) were parked after repeated failures, so their messages are missing from the helpdesk (latest error: ${error}).`,
      fix: REQUEUE_FIX,
      facts,
    };
  }
  if (stats.latePending > 0) {
    return {
      id: 'parked_events',
      title,
      verdict: 'warn',
      summary: `${stats.latePending} webhook event(s) have waited more than ${LATE_PENDING_MINUTES} minutes to be processed.`,
      fix: 'Check that the channel’s background jobs run (enableBackgroundJobs, ScheduleModule.forRoot()) and the host adapter’s errors in the logs.',
      facts,
    };
  }
  return {
    id: 'parked_events',
    title,
    verdict: 'ok',
    summary: 'No webhook event is parked or waiting long.',
    facts,
  };
}

/** Webhooks overall: a day of silence with accounts connected for longer deserves a look. */
export function webhookActivityCheck(
  stats: EventStats,
  activeSince: Date | null,
  now: Date,
): TiktokDiagnosticCheck {
  const title = 'Webhooks received';
  const facts = { lastReceivedAt: stats.lastReceivedAt?.toISOString() ?? null };
  const quietSince = stats.lastReceivedAt ?? activeSince;
  const quietHours = quietSince ? (now.getTime() - quietSince.getTime()) / 3_600_000 : 0;
  if (
    activeSince &&
    activeSince.getTime() <= now.getTime() - QUIET_HOURS * 3_600_000 &&
    quietHours >= QUIET_HOURS
  ) {
    return {
      id: 'webhook_activity',
      title,
      verdict: 'warn',
      summary: stats.lastReceivedAt
        ? `No webhook has arrived for ${Math.floor(quietHours)} hours (last at ${stats.lastReceivedAt.toISOString()}).`
        : `No webhook has ever arrived, though accounts have been connected for ${Math.floor(quietHours)} hours.`,
      fix: 'If customers wrote meanwhile, check the webhook registration and that the callback URL is reachable from the internet.',
      facts,
    };
  }
  return {
    id: 'webhook_activity',
    title,
    verdict: 'ok',
    summary: stats.lastReceivedAt
      ? `The last webhook arrived at ${stats.lastReceivedAt.toISOString()}.`
      : 'No webhook has arrived yet.',
    facts,
  };
}

/** The latest outbound part of each account, and its latest failure. */
export interface SendStats {
  latest: Map<string, { status: string; createdAt: Date }>;
  lastFailure: Map<string, { reason: string | null; createdAt: Date }>;
}

export async function sendStats(dataSource: DataSource): Promise<SendStats> {
  const latest = await queryRows<{ account_id: string; status: string; created_at: Date }>(
    dataSource,
    `SELECT DISTINCT ON (account_id) account_id, status, created_at
       FROM tiktok_outbound_messages ORDER BY account_id, created_at DESC`,
  );
  const failures = await queryRows<{
    account_id: string;
    failure_reason: string | null;
    created_at: Date;
  }>(
    dataSource,
    `SELECT DISTINCT ON (account_id) account_id, failure_reason, created_at
       FROM tiktok_outbound_messages WHERE status = 'failed' ORDER BY account_id, created_at DESC`,
  );
  return {
    latest: new Map(
      latest.map((row) => [row.account_id, { status: row.status, createdAt: row.created_at }]),
    ),
    lastFailure: new Map(
      failures.map((row) => [
        row.account_id,
        { reason: row.failure_reason, createdAt: row.created_at },
      ]),
    ),
  };
}
