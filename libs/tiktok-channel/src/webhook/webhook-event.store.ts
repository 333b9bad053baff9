import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Batcher } from '../persistence/batcher';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { IntakePool } from './intake-pool';
import type { ParsedWebhook } from './webhook-envelope';
import {
  groupedIntakeRows,
  GROUPED_INTAKE_INSERT,
  intakeRowValues,
} from './webhook-grouped-insert';

export interface StoredWebhook {
  id: string | null;
  /** False when the same event had been stored before (TikTok redelivers). */
  isNew: boolean;
  /** False when the parsed fields could not be stored and only the raw bytes were kept. */
  parsed: boolean;
}

interface Delivery {
  webhook: ParsedWebhook;
  rawBody: Buffer;
}

/** Deliveries stored by one grouped statement at most: a few ms of a burst. */
const MAX_GROUP = 64;

/**
 * SQLSTATE classes that mean "the database cannot take a write now" (connection, resources,
 * shutdown, read-only): the caller answers 503 and TikTok retries. Anything else is about this
 * row's values, and the raw bytes are stored without them instead.
 */
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58', '25006', '40001', '40P01'];

function databaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true; // no SQLSTATE: network
  return UNAVAILABLE_CLASSES.some((prefix) => code.startsWith(prefix));
}

/**
 * The durable inbox of webhooks: one row per distinct event, written before TikTok gets its 200.
 * Deliveries that arrive together are stored by one statement (a round trip and a commit for the
 * lot, not one each); when that statement fails, each is stored alone, so a row the grouped
 * statement could not take costs only itself its parsed fields.
 */
@Injectable()
export class WebhookEventStore {
  private readonly logger = new Logger('TiktokChannel');
  private readonly group: Batcher<Delivery, StoredWebhook>;

  constructor(
    private readonly pool: IntakePool,
    @InjectTiktokConfig() config: TiktokChannelConfig,
  ) {
    this.group = new Batcher((deliveries) => this.saveGroup(deliveries), {
      name: 'webhook-intake',
      maxBatch: MAX_GROUP,
      // One statement per intake connection; with the shared pool, leave processing some.
      maxInFlight: Math.max(1, config.intakePoolSize),
      runOne: (delivery) => this.saveOne(delivery.webhook, delivery.rawBody),
    });
  }

  save(webhook: ParsedWebhook, rawBody: Buffer): Promise<StoredWebhook> {
    return this.group.call({ webhook, rawBody });
  }

  private async saveGroup(deliveries: Delivery[]): Promise<StoredWebhook[]> {
    // Alone, the one-row statement: it also knows to keep the raw bytes of a row refused for its
    // values (the batcher retries rows one by one only for a group of several).
    if (deliveries.length === 1)
      return [await this.saveOne(deliveries[0].webhook, deliveries[0].rawBody)];
    const { parameters, firstIndex } = groupedIntakeRows(deliveries);
    const rows = await this.pool.query<{ dedupe_key: string; id: string }>(
      GROUPED_INTAKE_INSERT,
      parameters,
    );
    const inserted = new Map(rows.map((row) => [row.dedupe_key, row.id]));
    return deliveries.map((delivery, index) => {
      const key = delivery.webhook.dedupeKey;
      // A second copy within the group is a redelivery of the first, as it would be one later.
      const id = firstIndex.get(key) === index ? (inserted.get(key) ?? null) : null;
      return { id, isNew: id !== null, parsed: true };
    });
  }

  private async saveOne(webhook: ParsedWebhook, rawBody: Buffer): Promise<StoredWebhook> {
    try {
      const rows = await this.pool.query<{ id: string }>(
        `INSERT INTO tiktok_webhook_events
           (dedupe_key, event, business_id, tiktok_conversation_id, event_timestamp, raw_body, content,
            status, last_error, intake_note, processed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $8 = 'ignored' THEN now() END)
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id`,
        intakeRowValues(webhook, rawBody),
      );
      return { id: rows[0]?.id ?? null, isNew: rows.length > 0, parsed: true };
    } catch (error) {
      if (databaseUnavailable(error)) throw error;
      // A value the parser did not foresee: keep the signed bytes, so nothing is lost, and say why.
      const reason = `parsed fields not storable: ${(error as Error).message}`.slice(0, 2000);
      this.logger.warn(`Stored a TikTok webhook without its parsed fields: ${reason}`);
      return this.saveRawOnly(rawBody, reason);
    }
  }

  private async saveRawOnly(rawBody: Buffer, reason: string): Promise<StoredWebhook> {
    const rows = await this.pool.query<{ id: string }>(
      `INSERT INTO tiktok_webhook_events (dedupe_key, event, raw_body, status, last_error, processed_at)
       VALUES ($1, 'unstorable', $2, 'ignored', $3, now())
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [`raw:${createHash('sha256').update(rawBody).digest('hex')}`, rawBody, reason],
    );
    return { id: rows[0]?.id ?? null, isNew: rows.length > 0, parsed: false };
  }
}
