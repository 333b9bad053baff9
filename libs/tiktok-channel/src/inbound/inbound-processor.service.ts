import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { queryRows } from '../persistence/sql';
import type { HandlerVerdict, InboundEventRow, Publication } from './inbound-event';
import { InboundHandlers } from './inbound-handlers';

/** After this many failed attempts an event is parked as `failed` for a person to look at. */
const MAX_ATTEMPTS = 10;

/**
 * Turns stored webhooks into host records. Work is claimed with `FOR UPDATE SKIP LOCKED`, and a
 * conversation is handled by one worker at a time (advisory lock) in TikTok's timestamp order, so
 * any number of processes can run this against one database.
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
   * Processes everything due now and resolves once processing is idle. For tools and tests that
   * need a settled state; production relies on kicks and the sweep.
   */
  async settle(): Promise<void> {
    this.kick();
    while (this.draining) await this.draining;
  }

  /** Processes due events until none is left (or the module closes). */
  private async drain(): Promise<void> {
    while (!this.closed && (await this.processNext())) {
      // one event per transaction: a slow host call never holds more than one claim
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.draining;
  }

  /** Handles one event; false when nothing is due. */
  async processNext(): Promise<boolean> {
    const publications: Publication[] = [];
    const found = await this.dataSource.transaction(async (manager) => {
      const [claimed] = await queryRows<InboundEventRow>(
        manager,
        `SELECT id, business_id, tiktok_conversation_id FROM tiktok_webhook_events
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY event_timestamp NULLS FIRST, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!claimed) return false;
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `tiktok:${claimed.business_id}:${claimed.tiktok_conversation_id}`,
      ]);
      // Under the conversation lock, the oldest due event of the conversation goes first. If
      // another worker holds it (it claimed it and waits for this lock), that worker goes first:
      // skipping it would hand the host a later message before an earlier one.
      const [event] = await queryRows<InboundEventRow>(
        manager,
        `SELECT id, event, business_id, tiktok_conversation_id, event_timestamp, content, attempts
           FROM tiktok_webhook_events
          WHERE id = (SELECT id FROM tiktok_webhook_events
                       WHERE status = 'pending' AND next_attempt_at <= now()
                         AND business_id = $1 AND tiktok_conversation_id = $2
                       ORDER BY event_timestamp NULLS FIRST, id LIMIT 1)
          FOR UPDATE SKIP LOCKED`,
        [claimed.business_id, claimed.tiktok_conversation_id],
      );
      if (!event) return true;
      await this.handleOne(manager, event, publications);
      return true;
    });
    for (const publication of publications)
      this.events.publish(publication.name, publication.payload);
    return found;
  }

  private async handleOne(
    manager: EntityManager,
    event: InboundEventRow,
    publications: Publication[],
  ): Promise<void> {
    await manager.query('SAVEPOINT tiktok_event');
    let verdict: HandlerVerdict;
    try {
      verdict = await this.handlers.handle(manager, event, publications);
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT tiktok_event');
      publications.length = 0;
      const attempts = event.attempts + 1;
      const message = (error as Error).message ?? String(error);
      this.logger.warn(
        `TikTok event ${event.id} (${event.event}) failed, attempt ${attempts}: ${message}`,
      );
      await manager.query(
        `UPDATE tiktok_webhook_events
            SET attempts = $2, last_error = $3, status = $4,
                next_attempt_at = now() + make_interval(secs => $5)
          WHERE id = $1`,
        [
          event.id,
          attempts,
          message.slice(0, 2000),
          attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          Math.min(2 ** attempts, 300),
        ],
      );
      return;
    }
    if (verdict.outcome === 'deferred') {
      await manager.query(
        `UPDATE tiktok_webhook_events SET next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1`,
        [event.id, verdict.seconds],
      );
      return;
    }
    await manager.query(
      `UPDATE tiktok_webhook_events SET status = $2, last_error = $3, processed_at = now() WHERE id = $1`,
      [event.id, verdict.outcome, verdict.note ?? null],
    );
  }
}
