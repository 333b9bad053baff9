import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';

/** What one retention run removed. */
export interface TiktokRetentionRun {
  /** Processed or ignored webhook events whose raw body and parsed content were dropped. */
  webhookBodiesDropped: number;
  /** Processed or ignored webhook events deleted. */
  webhookEventsDeleted: number;
  /** Parked (`failed`) webhook events deleted. */
  parkedEventsDeleted: number;
  /** Sent, failed or read outbound parts deleted. */
  outboundMessagesDeleted: number;
  /** Final, reported host-message statuses whose parts are all gone, deleted. */
  outboundRequestsDeleted: number;
  /** Expired OAuth states deleted. */
  oauthStatesDeleted: number;
}

/** An expired state is kept this long, so a late callback still lands on its own page. */
const STATE_GRACE_SECONDS = 3600;
const DAY_SECONDS = 86_400;

/**
 * Removes what the channel no longer needs, in small batches: each statement touches at most
 * `retentionBatchSize` rows, skips rows another transaction holds (`SKIP LOCKED`) and commits on
 * its own, so no lock outlives a batch and webhook intake (which only inserts) never waits for it.
 * Pending events and unfinished sends are never touched.
 *
 * `tiktok_webhook_events` is walked in id order (its primary key; ids grow with arrival time), so
 * no index beyond intake's own is needed, and intake pays nothing for retention. A walk stops at
 * the first window whose rows are all too young. The body walk remembers where everything before
 * it is settled; a restarted process walks from the start once.
 */
@Injectable()
export class TiktokRetentionService {
  private readonly logger = new Logger('TiktokChannel');
  /** Every event with an id up to this one has no body left to drop (or is parked). */
  private bodyCursor = 0n;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  async run(): Promise<TiktokRetentionRun> {
    const run: TiktokRetentionRun = {
      // Deleting first, so no body is dropped from a row about to go anyway.
      ...(await this.deleteWebhookEvents()),
      webhookBodiesDropped: await this.dropWebhookBodies(),
      outboundMessagesDeleted: await this.deleteOutboundMessages(),
      // After the parts: a status row goes once no part of its message is left.
      outboundRequestsDeleted: await this.deleteOutboundRequests(),
      oauthStatesDeleted: await this.deleteExpiredStates(),
    };
    const removed = Object.values(run).reduce((sum, count) => sum + count, 0);
    if (removed > 0) this.logger.log(`Retention: ${JSON.stringify(run)}`);
    return run;
  }

  private get batch(): number {
    return this.config.retentionBatchSize;
  }

  private async dropWebhookBodies(): Promise<number> {
    const ageSeconds = this.config.retention.webhookBodyDays * DAY_SECONDS;
    let cursor = this.bodyCursor;
    let firstUnsettled: bigint | null = null;
    let dropped = 0;
    for (;;) {
      const [window] = await queryRows<WindowResult & { first_unsettled: string | null }>(
        this.dataSource,
        `WITH win AS (
           SELECT id, status, received_at, raw_body = '' AS bodiless
             FROM tiktok_webhook_events WHERE id > $1 ORDER BY id LIMIT $2),
         target AS (
           SELECT e.id FROM tiktok_webhook_events e JOIN win USING (id)
            WHERE e.status IN ('processed', 'ignored') AND e.raw_body <> ''
              AND e.processed_at < now() - make_interval(secs => $3)
            FOR UPDATE OF e SKIP LOCKED),
         changed AS (
           UPDATE tiktok_webhook_events e SET raw_body = '', content = NULL
             FROM target WHERE e.id = target.id RETURNING e.id)
         SELECT (SELECT count(*) FROM changed)::int AS affected,
                (SELECT max(id) FROM win)::text AS last_id,
                (SELECT bool_and(received_at >= now() - make_interval(secs => $3)) FROM win) AS reached_recent,
                (SELECT min(id) FROM win
                  WHERE NOT bodiless AND status <> 'failed' AND id NOT IN (SELECT id FROM changed))::text
                  AS first_unsettled`,
        [cursor.toString(), this.batch, ageSeconds],
      );
      dropped += window.affected;
      if (window.first_unsettled !== null && firstUnsettled === null) {
        firstUnsettled = BigInt(window.first_unsettled);
      }
      if (window.last_id === null) break;
      cursor = BigInt(window.last_id);
      if (window.reached_recent) break;
      await yieldToOthers();
    }
    // Next time, start before the first event that may still need its body dropped.
    this.bodyCursor = firstUnsettled !== null ? firstUnsettled - 1n : cursor;
    return dropped;
  }

  private async deleteWebhookEvents(): Promise<
    Pick<TiktokRetentionRun, 'webhookEventsDeleted' | 'parkedEventsDeleted'>
  > {
    const eventAge = this.config.retention.webhookEventDays * DAY_SECONDS;
    const parkedAge = this.config.retention.parkedEventDays * DAY_SECONDS;
    let cursor = 0n;
    let events = 0;
    let parked = 0;
    for (;;) {
      const [window] = await queryRows<WindowResult & { parked: number }>(
        this.dataSource,
        `WITH win AS (
           SELECT id, received_at FROM tiktok_webhook_events WHERE id > $1 ORDER BY id LIMIT $2),
         target AS (
           SELECT e.id FROM tiktok_webhook_events e JOIN win USING (id)
            WHERE (e.status IN ('processed', 'ignored') AND e.processed_at < now() - make_interval(secs => $3))
               OR (e.status = 'failed' AND e.received_at < now() - make_interval(secs => $4))
            FOR UPDATE OF e SKIP LOCKED),
         deleted AS (
           DELETE FROM tiktok_webhook_events e USING target WHERE e.id = target.id RETURNING e.status)
         SELECT (SELECT count(*) FROM deleted WHERE status <> 'failed')::int AS affected,
                (SELECT count(*) FROM deleted WHERE status = 'failed')::int AS parked,
                (SELECT max(id) FROM win)::text AS last_id,
                (SELECT bool_and(received_at >= now() - make_interval(secs => LEAST($3, $4))) FROM win)
                  AS reached_recent`,
        [cursor.toString(), this.batch, eventAge, parkedAge],
      );
      events += window.affected;
      parked += window.parked;
      if (window.last_id === null || window.reached_recent) break;
      cursor = BigInt(window.last_id);
      await yieldToOthers();
    }
    return { webhookEventsDeleted: events, parkedEventsDeleted: parked };
  }

  private async deleteOutboundMessages(): Promise<number> {
    return this.deleteInBatches(
      `DELETE FROM tiktok_outbound_messages WHERE id IN (
         SELECT id FROM tiktok_outbound_messages
          WHERE status IN ('sent', 'failed', 'read') AND created_at < now() - make_interval(secs => $2)
          LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING 1`,
      [this.config.retention.outboundMessageDays * DAY_SECONDS],
    );
  }

  /**
   * A host message's status row, once final, reported to the host and older than the parts'
   * retention, with no part left: kept any longer it would only answer a status question nobody
   * asks. One still owed to the host (`reported_status` behind) is never touched.
   */
  private async deleteOutboundRequests(): Promise<number> {
    return this.deleteInBatches(
      `DELETE FROM tiktok_outbound_requests WHERE host_message_id IN (
         SELECT r.host_message_id FROM tiktok_outbound_requests r
          WHERE r.status IN ('sent', 'failed') AND r.reported_status = r.status
            AND r.updated_at < now() - make_interval(secs => $2)
            AND NOT EXISTS (SELECT 1 FROM tiktok_outbound_messages m
                             WHERE m.host_message_id = r.host_message_id)
          LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING 1`,
      [this.config.retention.outboundMessageDays * DAY_SECONDS],
    );
  }

  private async deleteExpiredStates(): Promise<number> {
    return this.deleteInBatches(
      `DELETE FROM tiktok_oauth_states WHERE nonce IN (
         SELECT nonce FROM tiktok_oauth_states
          WHERE expires_at < now() - make_interval(secs => $2)
          LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING 1`,
      [STATE_GRACE_SECONDS],
    );
  }

  /** Runs a `DELETE … LIMIT $1 … RETURNING` until a batch comes back short. */
  private async deleteInBatches(sql: string, parameters: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await queryRows(this.dataSource, sql, [this.batch, ...parameters]);
      total += rows.length;
      if (rows.length < this.batch) return total;
      await yieldToOthers();
    }
  }
}

interface WindowResult {
  affected: number;
  last_id: string | null;
  reached_recent: boolean | null;
}

/** Lets intake and processing have the pool between two batches. */
function yieldToOthers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
