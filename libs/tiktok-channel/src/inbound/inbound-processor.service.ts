import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { queryRows } from '../persistence/sql';
import type { HandlerVerdict, InboundEventRow, Publication } from './inbound-event';
import { InboundHandlers, type AccountRow } from './inbound-handlers';
import { WAITING_FOR_CONNECT } from './inbound-constants';
import { InboundParking } from './inbound-parking';

/** After this many failed attempts an event is parked as `failed` for a person to look at. */
export const MAX_ATTEMPTS = 10;
/** Events of one conversation handled in one transaction: one claim, one commit for many. */
const BATCH_SIZE = 50;
/** Conversations tried per step when other workers hold the first ones. */
const CANDIDATES = 32;

interface Candidate {
  business_id: string;
  tiktok_conversation_id: string | null;
}

interface PendingRow extends InboundEventRow {
  due: boolean;
}

type Step = 'none' | 'busy' | 'worked';

interface FinishedEvent {
  id: string;
  status: 'processed' | 'ignored';
  note: string | null;
}

/**
 * Turns stored webhooks into host records, one conversation at a time and in TikTok's order,
 * across any number of processes:
 *
 * - the conversation's lock (a transaction-scoped advisory lock) is taken BEFORE any of its events
 *   is claimed, so no worker can hold an older event while another handles a newer one;
 * - only the head of a conversation's queue is handled: an event waiting for a retry holds back
 *   every later event of its conversation until it succeeds or is parked;
 * - one transaction takes a run of the conversation's due events (fewer round trips per event).
 */
@Injectable()
export class InboundProcessor implements OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  private draining: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handlers: InboundHandlers,
    private readonly events: TiktokEventPublisher,
    private readonly parking: InboundParking,
  ) {}

  /** Asks for a drain soon. Only a latency shortcut: the sweep finds anything a kick missed. */
  kick(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        try {
          await this.drain();
        } catch (error) {
          this.logger.error(`Processing TikTok events failed: ${(error as Error).message}`);
        }
      } while (this.again && !this.closed);
    })().finally(() => {
      this.draining = null;
    });
  }

  /**
   * Makes a conversation's held-back events due now and kicks processing: called when a send of
   * ours has stored its TikTok message id, so an echo that overtook it is matched without waiting.
   */
  async wakeConversation(businessId: string, tiktokConversationId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_webhook_events SET next_attempt_at = now()
        WHERE status = 'pending' AND business_id = $1 AND tiktok_conversation_id = $2 AND next_attempt_at > now()`,
      [businessId, tiktokConversationId],
    );
    this.kick();
  }

  /**
   * Events that waited for their business to connect are due now that it has: processed in order,
   * as if they had just arrived. Run by the sweep (and `settle`); one cheap statement.
   */
  async wakeConnectedBusinesses(): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE tiktok_webhook_events e SET next_attempt_at = now()
        WHERE e.status = 'pending' AND e.next_attempt_at > now() AND e.last_error = $1
          AND EXISTS (SELECT 1 FROM tiktok_accounts a
                       WHERE a.business_id = e.business_id AND a.host_inbox_id IS NOT NULL)
        RETURNING e.id`,
      [WAITING_FOR_CONNECT],
    );
    return rows.length;
  }

  /**
   * Processes everything due now and resolves once processing is idle. For tools and tests that
   * need a settled state; production relies on kicks and the sweep.
   */
  async settle(): Promise<void> {
    await this.wakeConnectedBusinesses();
    this.kick();
    while (this.draining) await this.draining;
  }

  /** Processes due conversations until none is left that no other worker holds. */
  private async drain(): Promise<void> {
    while (!this.closed && (await this.step()) === 'worked') {
      // each step commits one run of one conversation
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.draining;
  }

  /** Handles one run of one conversation's events; false when nothing is due. */
  async processNext(): Promise<boolean> {
    return (await this.step()) !== 'none';
  }

  private async step(): Promise<Step> {
    const publications: Publication[] = [];
    const step = await this.dataSource.transaction(async (manager): Promise<Step> => {
      // The conversations whose OLDEST pending event is due: a conversation whose head waits for
      // a retry is not a candidate at all, so nothing behind that event can overtake it.
      const candidates = await queryRows<Candidate>(
        manager,
        `SELECT business_id, tiktok_conversation_id FROM (
           SELECT DISTINCT ON (business_id, tiktok_conversation_id)
                  business_id, tiktok_conversation_id, event_timestamp, id, next_attempt_at
             FROM tiktok_webhook_events WHERE status = 'pending'
            ORDER BY business_id, tiktok_conversation_id, event_timestamp NULLS FIRST, id) heads
          WHERE next_attempt_at <= now()
          ORDER BY event_timestamp NULLS FIRST, id
          LIMIT $1`,
        [CANDIDATES],
      );
      if (candidates.length === 0) return 'none';
      for (const candidate of candidates) {
        const [{ locked }] = await queryRows<{ locked: boolean }>(
          manager,
          `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
          [conversationLockKey(candidate.business_id, candidate.tiktok_conversation_id)],
        );
        if (!locked) continue; // another worker has this conversation; try the next one
        const handled = await this.runConversation(manager, candidate, publications);
        return handled > 0 ? 'worked' : 'busy';
      }
      return 'busy';
    });
    for (const publication of publications)
      this.events.publish(publication.name, publication.payload);
    return step;
  }

  /**
   * Under the conversation's lock: its pending events in TikTok order, handled while each is due
   * and succeeds. Returns how many were settled (processed, ignored, parked).
   */
  private async runConversation(
    manager: EntityManager,
    conversation: Candidate,
    publications: Publication[],
  ): Promise<number> {
    const rows = await queryRows<PendingRow>(
      manager,
      `SELECT id, event, business_id, tiktok_conversation_id, event_timestamp, content, attempts,
              received_at, next_attempt_at <= now() AS due
         FROM tiktok_webhook_events
        WHERE status = 'pending' AND business_id = $1
          AND (tiktok_conversation_id = $2 OR ($2::text IS NULL AND tiktok_conversation_id IS NULL))
        ORDER BY event_timestamp NULLS FIRST, id
        LIMIT $3`,
      [conversation.business_id, conversation.tiktok_conversation_id, BATCH_SIZE],
    );
    // Row locks too, for a worker that claims rows without the conversation lock (an older version
    // during a rolling deploy): a row it holds stops the run there, never skipped over.
    const lockedIds = new Set(
      (
        await queryRows<{ id: string }>(
          manager,
          `SELECT id FROM tiktok_webhook_events
            WHERE id = ANY($1::bigint[]) AND status = 'pending' FOR UPDATE SKIP LOCKED`,
          [rows.map((row) => row.id)],
        )
      ).map((row) => row.id),
    );
    const accounts = new Map<string, AccountRow | null>();
    const finished: FinishedEvent[] = [];
    let settled = 0;
    for (const row of rows) {
      if (!row.due || !lockedIds.has(row.id)) break;
      const done = await this.handleOne(manager, row, publications, accounts, finished);
      if (!done) break; // it failed or waits: the rest of the conversation waits behind it
      settled++;
    }
    if (finished.length > 0) {
      // One statement for the run's outcomes instead of one per event.
      await manager.query(
        `UPDATE tiktok_webhook_events e
            SET status = f.status, last_error = f.note, processed_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::text[]) AS f(id, status, note)
          WHERE e.id = f.id`,
        [finished.map((f) => f.id), finished.map((f) => f.status), finished.map((f) => f.note)],
      );
    }
    return settled;
  }

  /** True when the event is settled; false when it is to be tried again later. */
  private async handleOne(
    manager: EntityManager,
    event: InboundEventRow,
    publications: Publication[],
    accounts: Map<string, AccountRow | null>,
    finished: FinishedEvent[],
  ): Promise<boolean> {
    await manager.query('SAVEPOINT tiktok_event');
    const mark = publications.length;
    let verdict: HandlerVerdict;
    try {
      verdict = await this.handlers.handle(manager, event, publications, accounts);
      await manager.query('RELEASE SAVEPOINT tiktok_event');
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT tiktok_event');
      publications.length = mark;
      const attempts = event.attempts + 1;
      const message = (error as Error)?.message ?? String(error);
      this.logger.warn(
        `TikTok event ${event.id} (${event.event}) failed, attempt ${attempts}: ${message}`,
      );
      const parked = attempts >= MAX_ATTEMPTS;
      await manager.query(
        `UPDATE tiktok_webhook_events
            SET attempts = $2, last_error = $3, status = $4,
                next_attempt_at = now() + make_interval(secs => $5)
          WHERE id = $1`,
        [
          event.id,
          attempts,
          message.slice(0, 2000),
          parked ? 'failed' : 'pending',
          Math.min(2 ** attempts, 300),
        ],
      );
      if (!parked) return false;
      await this.parking.parked(manager, event, message, publications);
      return true;
    }
    if (verdict.outcome === 'deferred') {
      await manager.query(
        `UPDATE tiktok_webhook_events
            SET next_attempt_at = now() + make_interval(secs => $2), last_error = COALESCE($3, last_error)
          WHERE id = $1`,
        [event.id, verdict.seconds, verdict.note ?? null],
      );
      return false;
    }
    finished.push({ id: event.id, status: verdict.outcome, note: verdict.note ?? null });
    return true;
  }
}

/** One lock per conversation (events without a conversation share one per business). */
export function conversationLockKey(
  businessId: string,
  tiktokConversationId: string | null,
): string {
  return `tiktok:${businessId}:${tiktokConversationId ?? ''}`;
}
