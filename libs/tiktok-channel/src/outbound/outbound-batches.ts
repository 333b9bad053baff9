import type { DataSource } from 'typeorm';
import { queryRows } from '../persistence/sql';
import { Batcher } from '../persistence/batcher';
import type { OutboundConversation, PartRow } from './outbound-store';

/**
 * The statements the sending path runs for every part, each one batched across conversations
 * and businesses (see `Batcher`): one process drives hundreds of conversations at once, and one
 * round trip per part per step would cost more than the sending itself. Every statement keeps the
 * meaning of its single-row form (the same conditions, row by row), so the guarantees do not
 * depend on how calls were grouped.
 */

/** Up to this many items in one statement. */
const MAX_BATCH = 500;

export const CONVERSATION_COLUMNS = `c.id, c.account_id, a.business_id, a.status AS account_status, a.username,
  c.tiktok_conversation_id, c.host_inbox_id, c.host_conversation_id, c.last_inbound_at,
  c.image_send_capability, c.capabilities_checked_at`;

export const PART_COLUMNS = `id, host_message_id, conversation_id, account_id, part_index, kind, message_type,
  body, status, tiktok_message_id, failure_reason, failure_detail, attempts, reconcile_attempts,
  attachment_index, referenced_message_id, media_id, media_uploaded_at, share_item_id,
  attempt_started_at,
  (EXTRACT(EPOCH FROM (next_attempt_at - clock_timestamp())) * 1000)::float8 AS due_in_ms`;

/** A conversation's parts go out in the order they were recorded. */
export const PART_ORDER = `created_at, host_message_id, part_index`;

/**
 * Statements that write several rows of one table lock them in key order first: two of them
 * (batches here or in another process, or a recording transaction) then never wait for each
 * other in a cycle. `$1` holds the conversation ids.
 */
const LOCK_CONVERSATIONS_IN_ORDER = `SELECT id FROM tiktok_conversations WHERE id = ANY($1::uuid[])
  ORDER BY id FOR UPDATE`;

function lockRequestsInOrder(param: string): string {
  return `SELECT host_message_id FROM tiktok_outbound_requests
    WHERE host_message_id = ANY(${param}::text[]) ORDER BY host_message_id FOR UPDATE`;
}

export interface SlotRequest {
  partId: string;
  businessId: string;
  intervalSeconds: number;
  reconcileAfterMs: number;
}

export interface SentRequest {
  partId: string;
  messageType: PartRow['message_type'];
  tiktokMessageId: string;
  businessId: string;
  tiktokConversationId: string;
}

export interface SentResult {
  stored: boolean;
  echoHeld: boolean;
}

/** A message's status recomputed from its parts. */
export interface SettledStatus {
  parts: PartRow[];
  /** Whether the stored status changed (the host has something new to hear). */
  changed: boolean;
}

function byKey<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

export class OutboundBatches {
  private readonly claims: Batcher<{ id: string; owner: string; leaseMs: number }, boolean>;
  private readonly releases: Batcher<{ id: string; owner: string }, void>;
  private readonly heads: Batcher<string, PartRow | null>;
  private readonly conversationsById: Batcher<string, OutboundConversation | null>;
  private readonly conversationsByHostId: Batcher<string, OutboundConversation | null>;
  private readonly slots: Batcher<SlotRequest, number>;
  private readonly sent: Batcher<SentRequest, SentResult>;
  private readonly statuses: Batcher<string, SettledStatus>;
  private readonly reported: Batcher<{ hostMessageId: string; status: string }, void>;

  constructor(
    private readonly dataSource: DataSource,
    single: {
      markSent: (request: SentRequest) => Promise<SentResult>;
    },
  ) {
    const options = (name: string, maxInFlight = 1) => ({
      name,
      maxBatch: MAX_BATCH,
      maxInFlight,
    });
    this.claims = new Batcher((items) => this.claimMany(items), options('claim'));
    this.releases = new Batcher((items) => this.releaseMany(items), options('release'));
    this.heads = new Batcher((ids) => this.headsOf(ids), options('head part'));
    this.conversationsById = new Batcher(
      (ids) => this.conversationsWhere('c.id', 'uuid', ids),
      options('conversation'),
    );
    this.conversationsByHostId = new Batcher(
      (ids) => this.conversationsWhere('c.host_conversation_id', 'text', ids),
      // A burst of sends names few conversations many times over, and the statement reads each
      // once: one batch for the burst, so the last businesses' sends are not resolved turns late.
      { ...options('conversation by host id'), maxBatch: MAX_BATCH * 10 },
    );
    // Two on their way at once: the slot decides when a request leaves, so it is on the path.
    this.slots = new Batcher((items) => this.reserveMany(items), options('slot + sending', 2));
    this.sent = new Batcher((items) => this.markSentMany(items), {
      ...options('sent'),
      runOne: single.markSent,
    });
    this.statuses = new Batcher((ids) => this.settleMany(ids), options('status'));
    this.reported = new Batcher((items) => this.markReportedMany(items), options('reported'));
  }

  claim(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.claims.call({ id, owner, leaseMs });
  }

  release(id: string, owner: string): Promise<void> {
    return this.releases.call({ id, owner });
  }

  firstUnfinishedPart(conversationId: string): Promise<PartRow | null> {
    return this.heads.call(conversationId);
  }

  conversationById(id: string): Promise<OutboundConversation | null> {
    return this.conversationsById.call(id);
  }

  conversationByHostId(hostConversationId: string): Promise<OutboundConversation | null> {
    return this.conversationsByHostId.call(hostConversationId);
  }

  reserveAndMarkSending(request: SlotRequest): Promise<number> {
    return this.slots.call(request);
  }

  markSent(request: SentRequest): Promise<SentResult> {
    return this.sent.call(request);
  }

  settleStatus(hostMessageId: string): Promise<SettledStatus> {
    return this.statuses.call(hostMessageId);
  }

  markReported(hostMessageId: string, status: string): Promise<void> {
    return this.reported.call({ hostMessageId, status });
  }

  private async claimMany(
    items: Array<{ id: string; owner: string; leaseMs: number }>,
  ): Promise<boolean[]> {
    const rows = await queryRows<{ id: string; owner: string }>(
      this.dataSource,
      `UPDATE tiktok_conversations c
          SET outbound_lease_until = clock_timestamp() + make_interval(secs => i.lease_s),
              outbound_lease_owner = i.owner
         FROM (SELECT DISTINCT ON (id) id, owner, lease_s
                 FROM unnest($1::uuid[], $2::uuid[], $3::float8[]) AS t(id, owner, lease_s)) i
        WHERE c.id = i.id
          AND c.id IN (${LOCK_CONVERSATIONS_IN_ORDER})
          AND (c.outbound_lease_until IS NULL OR c.outbound_lease_until < clock_timestamp())
        RETURNING c.id, c.outbound_lease_owner AS owner`,
      [items.map((i) => i.id), items.map((i) => i.owner), items.map((i) => i.leaseMs / 1000)],
    );
    // The same conversation asked twice in one batch: only the first asker gets it.
    const won = new Map(rows.map((row) => [row.id, row.owner]));
    return items.map((item) => {
      if (won.get(item.id) !== item.owner) return false;
      won.delete(item.id);
      return true;
    });
  }

  private async releaseMany(items: Array<{ id: string; owner: string }>): Promise<void[]> {
    await this.dataSource.query(
      `UPDATE tiktok_conversations c
          SET outbound_lease_until = NULL, outbound_lease_owner = NULL,
              outbound_due_at = (SELECT next_attempt_at FROM tiktok_outbound_messages
                                  WHERE conversation_id = c.id AND status IN ('pending', 'sending')
                                  ORDER BY ${PART_ORDER} LIMIT 1)
         FROM unnest($1::uuid[], $2::uuid[]) AS i(id, owner)
        WHERE c.id = i.id AND c.id IN (${LOCK_CONVERSATIONS_IN_ORDER})
          AND c.outbound_lease_owner = i.owner`,
      [items.map((i) => i.id), items.map((i) => i.owner)],
    );
    return items.map(() => undefined);
  }

  private async headsOf(ids: string[]): Promise<Array<PartRow | null>> {
    const rows = await queryRows<PartRow>(
      this.dataSource,
      `SELECT h.* FROM unnest($1::uuid[]) AS i(id)
         CROSS JOIN LATERAL (
           SELECT ${PART_COLUMNS} FROM tiktok_outbound_messages
            WHERE conversation_id = i.id AND status IN ('pending', 'sending')
            ORDER BY ${PART_ORDER} LIMIT 1) h`,
      [[...new Set(ids)]],
    );
    const byConversation = new Map(rows.map((row) => [row.conversation_id, row]));
    // Each caller gets a row of its own: the worker writes to it (a media id, for one).
    return ids.map((id) => {
      const row = byConversation.get(id);
      return row ? { ...row } : null;
    });
  }

  private async conversationsWhere(
    column: 'c.id' | 'c.host_conversation_id',
    type: 'uuid' | 'text',
    ids: string[],
  ): Promise<Array<OutboundConversation | null>> {
    const rows = await queryRows<OutboundConversation & { key: string }>(
      this.dataSource,
      `SELECT ${CONVERSATION_COLUMNS}, ${column}::text AS key
         FROM tiktok_conversations c JOIN tiktok_accounts a ON a.id = c.account_id
        WHERE ${column} = ANY($1::${type}[])`,
      [[...new Set(ids)]],
    );
    const byKeyMap = new Map(rows.map(({ key, ...row }) => [key, row]));
    return ids.map((id) => {
      const row = byKeyMap.get(id);
      return row ? { ...row } : null;
    });
  }

  /**
   * Reserves each part's rate slot and marks it `sending`, in one statement for the batch. A
   * business asked k slots at once moves its next slot k intervals on and hands them out in the
   * order asked, exactly as k single reservations in a row would.
   */
  private async reserveMany(items: SlotRequest[]): Promise<number[]> {
    const rows = await queryRows<{ id: string; wait_ms: number }>(
      this.dataSource,
      `WITH req AS (
         SELECT r.part_id, r.business_id, r.interval_s, r.reconcile_s,
                row_number() OVER (PARTITION BY r.business_id ORDER BY r.ord) AS k,
                count(*) OVER (PARTITION BY r.business_id) AS n
           FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[])
                WITH ORDINALITY AS r(part_id, business_id, interval_s, reconcile_s, ord)
       ), t AS (SELECT clock_timestamp() AS at),
       per_business AS (
         SELECT business_id, max(n) AS n, max(interval_s) AS interval_s FROM req GROUP BY business_id
       ), slots AS (
         INSERT INTO tiktok_rate_limits AS r (business_id, next_slot_at)
         SELECT b.business_id, (SELECT at FROM t) + make_interval(secs => b.n * b.interval_s)
           FROM per_business b ORDER BY b.business_id
         ON CONFLICT (business_id) DO UPDATE
           SET next_slot_at = GREATEST(r.next_slot_at, (SELECT at FROM t))
                            + (EXCLUDED.next_slot_at - (SELECT at FROM t))
         RETURNING r.business_id, r.next_slot_at
       ), assigned AS (
         SELECT q.part_id, q.reconcile_s,
                s.next_slot_at - make_interval(secs => (q.n - q.k + 1) * q.interval_s) AS slot_at
           FROM req q JOIN slots s USING (business_id)
       )
       UPDATE tiktok_outbound_messages m
          SET status = 'sending', attempts = m.attempts + 1, attempt_started_at = clock_timestamp(),
              next_attempt_at = a.slot_at + make_interval(secs => a.reconcile_s),
              updated_at = now()
         FROM assigned a
        WHERE m.id = a.part_id
        RETURNING m.id,
                  GREATEST(0, EXTRACT(EPOCH FROM (a.slot_at - clock_timestamp())) * 1000)::float8 AS wait_ms`,
      [
        items.map((i) => i.partId),
        items.map((i) => i.businessId),
        items.map((i) => i.intervalSeconds),
        items.map((i) => i.reconcileAfterMs / 1000),
      ],
    );
    const waits = new Map(rows.map((row) => [row.id, row.wait_ms]));
    return items.map((item) => waits.get(item.partId) ?? 0);
  }

  /**
   * Stores TikTok's message ids, each only on a part still unfinished and only when no other part
   * has that id; says for each whether the inbound side holds back an echo in its conversation.
   * Two parts of one batch claiming one id raise the unique violation, and the batch then runs
   * part by part.
   */
  private async markSentMany(items: SentRequest[]): Promise<SentResult[]> {
    const rows = await queryRows<{ id: string; echo_held: boolean }>(
      this.dataSource,
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
                AS i(part_id, tiktok_message_id, business_id, tiktok_conversation_id)
       ), updated AS (
         UPDATE tiktok_outbound_messages m
            SET status = 'sent', tiktok_message_id = i.tiktok_message_id, sent_at = now(),
                failure_reason = NULL, failure_detail = NULL, updated_at = now()
           FROM input i
          WHERE m.id = i.part_id AND m.status IN ('pending', 'sending')
            AND NOT EXISTS (SELECT 1 FROM tiktok_outbound_messages o
                             WHERE o.tiktok_message_id = i.tiktok_message_id)
          RETURNING m.id, m.message_type
       ), media AS (
         -- The image is TikTok's now (its media id lives 30 days); the copy is not needed any more.
         DELETE FROM tiktok_outbound_media d
          USING updated u WHERE d.part_id = u.id AND u.message_type = 'IMAGE'
       )
       SELECT u.id,
              EXISTS (SELECT 1 FROM tiktok_webhook_events e
                       WHERE e.status = 'pending' AND e.business_id = i.business_id
                         AND e.tiktok_conversation_id = i.tiktok_conversation_id
                         AND e.next_attempt_at > now()) AS echo_held
         FROM updated u JOIN input i ON i.part_id = u.id`,
      [
        items.map((i) => i.partId),
        items.map((i) => i.tiktokMessageId),
        items.map((i) => i.businessId),
        items.map((i) => i.tiktokConversationId),
      ],
    );
    const stored = new Map(rows.map((row) => [row.id, row.echo_held]));
    return items.map((item) =>
      stored.has(item.partId)
        ? { stored: true, echoHeld: stored.get(item.partId) === true }
        : { stored: false, echoHeld: false },
    );
  }

  /**
   * Recomputes each message's status from its parts (pending while a part is unfinished, failed
   * when one failed, else sent), stores it, and answers the parts and whether it changed.
   */
  private async settleMany(hostMessageIds: string[]): Promise<SettledStatus[]> {
    const rows = await queryRows<PartRow & { changed: boolean }>(
      this.dataSource,
      `WITH parts AS (
         SELECT ${PART_COLUMNS} FROM tiktok_outbound_messages WHERE host_message_id = ANY($1::text[])
       ), s AS (
         SELECT host_message_id,
                CASE WHEN bool_or(status IN ('pending', 'sending')) THEN 'pending'
                     WHEN bool_or(status = 'failed') THEN 'failed'
                     ELSE 'sent' END AS status
           FROM parts GROUP BY host_message_id
       ), u AS (
         UPDATE tiktok_outbound_requests r SET status = s.status, updated_at = now()
           FROM s WHERE r.host_message_id = s.host_message_id AND r.status <> s.status
            AND r.host_message_id IN (${lockRequestsInOrder('$1')})
         RETURNING r.host_message_id
       )
       SELECT p.*, EXISTS (SELECT 1 FROM u WHERE u.host_message_id = p.host_message_id) AS changed
         FROM parts p ORDER BY p.host_message_id, p.part_index`,
      [[...new Set(hostMessageIds)]],
    );
    const byMessage = byKey(rows, (row) => row.host_message_id);
    const told = new Set<string>();
    return hostMessageIds.map((id) => {
      const parts = (byMessage.get(id) ?? []).map(({ changed: _changed, ...part }) => part);
      // Asked twice in one batch: the change is the first asker's to report.
      const changed = (byMessage.get(id)?.[0]?.changed ?? false) && !told.has(id);
      told.add(id);
      return { parts, changed };
    });
  }

  private async markReportedMany(
    items: Array<{ hostMessageId: string; status: string }>,
  ): Promise<void[]> {
    await this.dataSource.query(
      `UPDATE tiktok_outbound_requests r SET reported_status = i.status
         FROM unnest($1::text[], $2::text[]) AS i(host_message_id, status)
        WHERE r.host_message_id = i.host_message_id AND r.status = i.status
          AND r.host_message_id IN (${lockRequestsInOrder('$1')})`,
      [items.map((i) => i.hostMessageId), items.map((i) => i.status)],
    );
    return items.map(() => undefined);
  }
}
