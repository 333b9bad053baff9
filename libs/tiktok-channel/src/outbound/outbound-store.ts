import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  FailureReason,
  OutboundPartKind,
  OutboundPartStatus,
  TiktokAccountStatus,
} from '../host/helpdesk-port';
import type { OutboundStatus } from '../persistence/entities/tiktok-outbound-message.entity';
import type { OutboundRequestStatus } from '../persistence/entities/tiktok-outbound-request.entity';
import { queryRows, type SqlExecutor } from '../persistence/sql';
import { REPLY_WINDOW_MS } from './messaging-rules';
import {
  CONVERSATION_COLUMNS,
  OutboundBatches,
  PART_COLUMNS,
  type SettledStatus,
} from './outbound-batches';
import type { PlannedPart } from './send-plan';

/** A conversation as the sender needs it: who sends, to whom, and what the rules look at. */
export interface OutboundConversation {
  id: string;
  account_id: string;
  business_id: string;
  account_status: TiktokAccountStatus;
  username: string;
  tiktok_conversation_id: string;
  host_inbox_id: string;
  host_conversation_id: string;
  last_inbound_at: Date | null;
  image_send_capability: boolean | null;
  capabilities_checked_at: Date | null;
}

export interface PartRow {
  id: string;
  host_message_id: string;
  conversation_id: string;
  account_id: string;
  part_index: number;
  kind: OutboundPartKind;
  message_type: 'TEXT' | 'IMAGE' | 'SHARE_POST';
  body: string;
  status: OutboundStatus;
  tiktok_message_id: string | null;
  failure_reason: FailureReason | null;
  failure_detail: string | null;
  attempts: number;
  reconcile_attempts: number;
  attachment_index: number | null;
  referenced_message_id: string | null;
  media_id: string | null;
  media_uploaded_at: Date | null;
  share_item_id: string | null;
  attempt_started_at: Date | null;
  /** Milliseconds until the part may be tried, by the database's clock (≤ 0: due). */
  due_in_ms: number;
}

export interface PreparedMedia {
  bytes: Buffer;
  contentType: string;
  fileName: string;
}

export interface SentCounts {
  sinceCustomer: number;
  afterWindow: number;
}

/**
 * Every statement the outbound side runs; each is short, none spans a TikTok call. The ones the
 * sending path runs for every part go through `OutboundBatches`, which groups concurrent calls.
 */
@Injectable()
export class OutboundStore {
  private readonly batches: OutboundBatches;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.batches = new OutboundBatches(dataSource, {
      markSent: (request) =>
        this.markSentAlone(
          { id: request.partId, message_type: request.messageType },
          request.tiktokMessageId,
          {
            business_id: request.businessId,
            tiktok_conversation_id: request.tiktokConversationId,
          },
        ),
    });
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Statements outside a transaction. */
  get executor(): SqlExecutor {
    return this.dataSource;
  }

  async requestReport(
    hostMessageId: string,
  ): Promise<{ status: OutboundRequestStatus; reported_status: string | null } | null> {
    const [row] = await queryRows<{
      status: OutboundRequestStatus;
      reported_status: string | null;
    }>(
      this.dataSource,
      `SELECT status, reported_status FROM tiktok_outbound_requests WHERE host_message_id = $1`,
      [hostMessageId],
    );
    return row ?? null;
  }

  conversationByHostId(hostConversationId: string): Promise<OutboundConversation | null> {
    return this.batches.conversationByHostId(hostConversationId);
  }

  async conversationById(
    id: string,
    executor: SqlExecutor = this.dataSource,
  ): Promise<OutboundConversation | null> {
    if (executor === this.dataSource) return this.batches.conversationById(id);
    const [row] = await queryRows<OutboundConversation>(
      executor,
      `SELECT ${CONVERSATION_COLUMNS}
         FROM tiktok_conversations c JOIN tiktok_accounts a ON a.id = c.account_id
        WHERE c.id = $1`,
      [id],
    );
    return row ?? null;
  }

  /**
   * Locks the conversation for the rest of the transaction and re-reads it, so two sends to one
   * conversation count the caps one after the other. With `makeDue`, the same statement marks it
   * as having work (undone with the transaction when the send is refused).
   */
  async lockConversation(
    manager: EntityManager,
    id: string,
    options: { makeDue?: boolean } = {},
  ): Promise<OutboundConversation | null> {
    const [row] = await queryRows<OutboundConversation>(
      manager,
      `UPDATE tiktok_conversations c
          SET outbound_due_at = CASE WHEN $2 THEN LEAST(COALESCE(c.outbound_due_at, now()), now())
                                     ELSE c.outbound_due_at END
         FROM tiktok_accounts a
        WHERE c.id = $1 AND a.id = c.account_id
        RETURNING ${CONVERSATION_COLUMNS}`,
      [id, options.makeDue === true],
    );
    return row ?? null;
  }

  /** TikTok messages that count against the caps: recorded and not failed. */
  async sentCounts(
    executor: SqlExecutor,
    conversationId: string,
    lastInboundAt: Date | null,
  ): Promise<SentCounts> {
    if (!lastInboundAt) return { sinceCustomer: 0, afterWindow: 0 };
    const windowEnd = new Date(lastInboundAt.getTime() + REPLY_WINDOW_MS);
    const [row] = await queryRows<{ since: number; after: number }>(
      executor,
      `SELECT count(*) FILTER (WHERE created_at > $2)::int AS since,
              count(*) FILTER (WHERE created_at > $3)::int AS after
         FROM tiktok_outbound_messages
        WHERE conversation_id = $1 AND status <> 'failed'`,
      [conversationId, lastInboundAt, windowEnd],
    );
    return { sinceCustomer: row?.since ?? 0, afterWindow: row?.after ?? 0 };
  }

  async requestStatus(
    executor: SqlExecutor,
    hostMessageId: string,
  ): Promise<{ conversation_id: string; status: OutboundRequestStatus } | null> {
    const [row] = await queryRows<{ conversation_id: string; status: OutboundRequestStatus }>(
      executor,
      `SELECT conversation_id, status FROM tiktok_outbound_requests WHERE host_message_id = $1`,
      [hostMessageId],
    );
    return row ?? null;
  }

  /** Records the request; false when one with this id exists already (nothing is recorded). */
  async recordRequest(
    manager: EntityManager,
    conversation: OutboundConversation,
    hostMessageId: string,
    options: { pendingReported?: boolean } = {},
  ): Promise<boolean> {
    const inserted = await queryRows<{ host_message_id: string }>(
      manager,
      `INSERT INTO tiktok_outbound_requests
         (host_message_id, account_id, conversation_id, status, reported_status)
       VALUES ($1, $2, $3, 'pending', CASE WHEN $4 THEN 'pending' END)
       ON CONFLICT (host_message_id) DO NOTHING RETURNING host_message_id`,
      [hostMessageId, conversation.account_id, conversation.id, options.pendingReported === true],
    );
    return inserted.length > 0;
  }

  /** The parts of a recorded request and their prepared media (the conversation is due already). */
  async recordParts(
    manager: EntityManager,
    conversation: OutboundConversation,
    hostMessageId: string,
    parts: Array<PlannedPart & { media?: PreparedMedia }>,
  ): Promise<void> {
    const rows = await queryRows<{ id: string; part_index: number }>(
      manager,
      `INSERT INTO tiktok_outbound_messages
         (account_id, conversation_id, host_message_id, part_index, message_type, kind, body, status,
          attachment_index, referenced_message_id, share_item_id)
       SELECT $1, $2, $3, p.part_index, p.message_type, p.kind, p.body, 'pending',
              p.attachment_index, p.referenced_message_id, p.share_item_id
         FROM jsonb_to_recordset($4::jsonb) AS p(part_index int, message_type text, kind text,
              body text, attachment_index int, referenced_message_id text, share_item_id text)
       RETURNING id, part_index`,
      [
        conversation.account_id,
        conversation.id,
        hostMessageId,
        JSON.stringify(
          parts.map((part, index) => ({
            part_index: index,
            message_type: part.messageType,
            kind: part.kind,
            body: part.body,
            attachment_index: part.attachmentIndex,
            referenced_message_id: part.referencedMessageId,
            share_item_id: part.shareItemId,
          })),
        ),
      ],
    );
    for (const row of rows) {
      const media = parts[row.part_index].media;
      if (!media) continue;
      await manager.query(
        `INSERT INTO tiktok_outbound_media (part_id, content_type, file_name, bytes)
         VALUES ($1, $2, $3, $4)`,
        [row.id, media.contentType, media.fileName, media.bytes],
      );
    }
  }

  /** Failed parts of the message go back to pending (attempts start over); how many did. */
  async rearmFailed(manager: EntityManager, hostMessageId: string): Promise<number> {
    const rows = await queryRows<{ id: string; conversation_id: string }>(
      manager,
      `UPDATE tiktok_outbound_messages
          SET status = 'pending', failure_reason = NULL, failure_detail = NULL, attempts = 0,
              reconcile_attempts = 0, next_attempt_at = now(), attempt_started_at = NULL,
              updated_at = now()
        WHERE host_message_id = $1 AND status = 'failed'
        RETURNING id, conversation_id`,
      [hostMessageId],
    );
    if (rows.length > 0) {
      await manager.query(
        `UPDATE tiktok_outbound_requests SET status = 'pending', reported_status = NULL, updated_at = now()
          WHERE host_message_id = $1`,
        [hostMessageId],
      );
      await this.makeDue(manager, rows[0].conversation_id);
    }
    return rows.length;
  }

  async failedPartCount(executor: SqlExecutor, hostMessageId: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      executor,
      `SELECT count(*)::int AS n FROM tiktok_outbound_messages WHERE host_message_id = $1 AND status = 'failed'`,
      [hostMessageId],
    );
    return row?.n ?? 0;
  }

  private async makeDue(executor: SqlExecutor, conversationId: string): Promise<void> {
    await executor.query(
      `UPDATE tiktok_conversations SET outbound_due_at = LEAST(COALESCE(outbound_due_at, now()), now())
        WHERE id = $1`,
      [conversationId],
    );
  }

  // ---- the conversation lease -------------------------------------------------------------

  /** Takes the conversation's send lease if nobody holds it. */
  claimConversation(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.batches.claim(id, owner, leaseMs);
  }

  /** Takes the leases of up to `limit` conversations with work due, skipping rows others lock. */
  async claimDueConversations(owner: string, leaseMs: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE tiktok_conversations
          SET outbound_lease_until = clock_timestamp() + make_interval(secs => $2), outbound_lease_owner = $1
        WHERE id IN (
          SELECT id FROM tiktok_conversations
           WHERE outbound_due_at <= clock_timestamp()
             AND (outbound_lease_until IS NULL OR outbound_lease_until < clock_timestamp())
           ORDER BY outbound_due_at
           LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [owner, leaseMs / 1000, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Whether some conversation has work due that no live lease covers. */
  async hasDueConversation(): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.dataSource,
      `SELECT 1 AS one FROM tiktok_conversations
        WHERE outbound_due_at <= clock_timestamp()
          AND (outbound_lease_until IS NULL OR outbound_lease_until < clock_timestamp())
        LIMIT 1`,
    );
    return rows.length > 0;
  }

  /** False when the lease was lost (it lapsed and someone else took it). */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE tiktok_conversations
          SET outbound_lease_until = clock_timestamp() + make_interval(secs => $3)
        WHERE id = $1 AND outbound_lease_owner = $2
        RETURNING id`,
      [id, owner, leaseMs / 1000],
    );
    return rows.length > 0;
  }

  /** Lets the conversation go, noting when its first unfinished part is due (null: none). */
  releaseConversation(id: string, owner: string): Promise<void> {
    return this.batches.release(id, owner);
  }

  // ---- parts ------------------------------------------------------------------------------

  /** The conversation's first unfinished part: only it may go, so parts arrive in order. */
  firstUnfinishedPart(conversationId: string): Promise<PartRow | null> {
    return this.batches.firstUnfinishedPart(conversationId);
  }

  async media(partId: string): Promise<PreparedMedia | null> {
    const [row] = await queryRows<{ bytes: Buffer; content_type: string; file_name: string }>(
      this.dataSource,
      `SELECT bytes, content_type, file_name FROM tiktok_outbound_media WHERE part_id = $1`,
      [partId],
    );
    return row
      ? { bytes: row.bytes, contentType: row.content_type, fileName: row.file_name }
      : null;
  }

  async storeMediaId(partId: string, mediaId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_outbound_messages SET media_id = $2, media_uploaded_at = now(), updated_at = now()
        WHERE id = $1`,
      [partId, mediaId],
    );
  }

  /**
   * Reserves the business's next rate slot and marks the part `sending`, in one statement; the
   * caller waits for the slot and sends. From here until an answer says otherwise, the outcome is
   * unknown: a crash leaves the part `sending`, due for reconciliation once the request could no
   * longer be in flight. Resolves with the wait until the slot, in milliseconds.
   */
  reserveAndMarkSending(
    partId: string,
    businessId: string,
    intervalSeconds: number,
    reconcileAfterMs: number,
  ): Promise<number> {
    return this.batches.reserveAndMarkSending({
      partId,
      businessId,
      intervalSeconds,
      reconcileAfterMs,
    });
  }

  /**
   * Stores TikTok's message id. `stored` is false when another part already has that id (a
   * reconciliation that matched the wrong message cannot make two parts claim one message);
   * `echoHeld` says whether the inbound side holds back an echo in the conversation, waiting for
   * an id like this one.
   */
  markSent(
    part: Pick<PartRow, 'id' | 'message_type'>,
    tiktokMessageId: string,
    conversation: Pick<OutboundConversation, 'business_id' | 'tiktok_conversation_id'>,
  ): Promise<{ stored: boolean; echoHeld: boolean }> {
    return this.batches.markSent({
      partId: part.id,
      messageType: part.message_type,
      tiktokMessageId,
      businessId: conversation.business_id,
      tiktokConversationId: conversation.tiktok_conversation_id,
    });
  }

  /** `markSent` for one part, in its own statements: what a batch falls back to. */
  private async markSentAlone(
    part: Pick<PartRow, 'id' | 'message_type'>,
    tiktokMessageId: string,
    conversation: Pick<OutboundConversation, 'business_id' | 'tiktok_conversation_id'>,
  ): Promise<{ stored: boolean; echoHeld: boolean }> {
    let rows: Array<{ echo_held: boolean }>;
    try {
      rows = await queryRows<{ echo_held: boolean }>(
        this.dataSource,
        `UPDATE tiktok_outbound_messages
            SET status = 'sent', tiktok_message_id = $2, sent_at = now(), failure_reason = NULL,
                failure_detail = NULL, updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'sending')
            AND NOT EXISTS (SELECT 1 FROM tiktok_outbound_messages WHERE tiktok_message_id = $2)
          RETURNING EXISTS (SELECT 1 FROM tiktok_webhook_events
                             WHERE status = 'pending' AND business_id = $3
                               AND tiktok_conversation_id = $4 AND next_attempt_at > now()) AS echo_held`,
        [part.id, tiktokMessageId, conversation.business_id, conversation.tiktok_conversation_id],
      );
    } catch (error) {
      // Another part took the id between the check and the write: the unique key said no.
      if ((error as { code?: string }).code === '23505') return { stored: false, echoHeld: false };
      throw error;
    }
    if (rows.length > 0 && part.message_type === 'IMAGE') {
      // The image is TikTok's now (its media id lives 30 days); the copy is not needed any more.
      await this.dataSource.query(`DELETE FROM tiktok_outbound_media WHERE part_id = $1`, [
        part.id,
      ]);
    }
    return { stored: rows.length > 0, echoHeld: rows[0]?.echo_held === true };
  }

  /** Back to pending, to be tried again after `delayMs`, with `attempts` tries spent. */
  async retryLater(partId: string, delayMs: number, attempts: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_outbound_messages
          SET status = 'pending', next_attempt_at = clock_timestamp() + make_interval(secs => $2),
              attempts = GREATEST(attempts, $3), attempt_started_at = NULL, updated_at = now()
        WHERE id = $1`,
      [partId, delayMs / 1000, attempts],
    );
  }

  /** The outcome is unknown: the part stays `sending`, to be looked for after `delayMs`. */
  async reconcileLater(partId: string, delayMs: number, countAttempt: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_outbound_messages
          SET next_attempt_at = clock_timestamp() + make_interval(secs => $2),
              reconcile_attempts = reconcile_attempts + $3, updated_at = now()
        WHERE id = $1`,
      [partId, delayMs / 1000, countAttempt ? 1 : 0],
    );
  }

  /** The part failed for good; later parts of the same message will not go without it. */
  async markFailed(part: PartRow, reason: FailureReason, detail: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE tiktok_outbound_messages
            SET status = 'failed', failure_reason = $2, failure_detail = $3, updated_at = now()
          WHERE id = $1`,
        [part.id, reason, detail.slice(0, 2000)],
      );
      await manager.query(
        `UPDATE tiktok_outbound_messages
            SET status = 'failed', failure_reason = 'earlier_part_failed', failure_detail = $3,
                updated_at = now()
          WHERE host_message_id = $1 AND part_index > $2 AND status = 'pending'`,
        [
          part.host_message_id,
          part.part_index,
          `Not sent because part ${part.part_index + 1} of this message failed; a retry sends them in order.`,
        ],
      );
    });
  }

  async forgetImageCapability(conversationId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_conversations SET capabilities_checked_at = NULL WHERE id = $1`,
      [conversationId],
    );
  }

  async storeImageCapability(conversationId: string, imageSend: boolean | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE tiktok_conversations SET image_send_capability = $2, capabilities_checked_at = now()
        WHERE id = $1`,
      [conversationId, imageSend],
    );
  }

  /** Whether the business already answered in this conversation (TikTok's SINGLE type). */
  async businessHasReplied(conversationId: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.dataSource,
      `SELECT 1 AS one FROM tiktok_outbound_messages
        WHERE conversation_id = $1 AND status IN ('sent', 'read') LIMIT 1`,
      [conversationId],
    );
    return rows.length > 0;
  }

  /** Whether a TikTok message id is already some part's. */
  async claimedIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await queryRows<{ tiktok_message_id: string }>(
      this.dataSource,
      `SELECT tiktok_message_id FROM tiktok_outbound_messages WHERE tiktok_message_id = ANY($1)`,
      [ids],
    );
    return new Set(rows.map((row) => row.tiktok_message_id));
  }

  /** `im_send_msg` echoes stored for the conversation since `sinceMs` that no part has claimed. */
  async unclaimedEchoes(
    businessId: string,
    tiktokConversationId: string,
    sinceMs: number,
  ): Promise<Array<Record<string, unknown>>> {
    const rows = await queryRows<{ content: Record<string, unknown> }>(
      this.dataSource,
      `SELECT e.content FROM tiktok_webhook_events e
        WHERE e.event = 'im_send_msg' AND e.business_id = $1 AND e.tiktok_conversation_id = $2
          AND e.content IS NOT NULL AND (e.event_timestamp IS NULL OR e.event_timestamp >= $3)
          AND NOT EXISTS (SELECT 1 FROM tiktok_outbound_messages o
                           WHERE o.tiktok_message_id = e.content->>'message_id')
        ORDER BY e.event_timestamp NULLS LAST, e.id`,
      [businessId, tiktokConversationId, Math.floor(sinceMs)],
    );
    return rows.map((row) => row.content);
  }

  // ---- statuses ---------------------------------------------------------------------------

  async parts(hostMessageId: string): Promise<PartRow[]> {
    return queryRows<PartRow>(
      this.dataSource,
      `SELECT ${PART_COLUMNS} FROM tiktok_outbound_messages
        WHERE host_message_id = $1 ORDER BY part_index`,
      [hostMessageId],
    );
  }

  markReported(hostMessageId: string, status: string): Promise<void> {
    return this.batches.markReported(hostMessageId, status);
  }

  /** Recomputes the message's status from its parts and stores it (see `OutboundBatches`). */
  settleStatus(hostMessageId: string): Promise<SettledStatus> {
    return this.batches.settleStatus(hostMessageId);
  }

  /**
   * Claims the right to tell the host `pending`: only while the message is still pending and the
   * host has been told nothing since it was recorded or retried.
   */
  async claimPendingReport(hostMessageId: string): Promise<boolean> {
    const rows = await queryRows<{ host_message_id: string }>(
      this.dataSource,
      `UPDATE tiktok_outbound_requests SET reported_status = 'pending'
        WHERE host_message_id = $1 AND status = 'pending' AND reported_status IS NULL
        RETURNING host_message_id`,
      [hostMessageId],
    );
    return rows.length > 0;
  }

  /** Final statuses nobody reported, left alone for `graceMs` so their own sender reports them. */
  async unreported(graceMs: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ host_message_id: string }>(
      this.dataSource,
      `SELECT host_message_id FROM tiktok_outbound_requests
        WHERE reported_status IS DISTINCT FROM status AND status IN ('sent', 'failed')
          AND updated_at < now() - make_interval(secs => $1)
        ORDER BY updated_at LIMIT $2`,
      [graceMs / 1000, limit],
    );
    return rows.map((row) => row.host_message_id);
  }
}

/** A part as the host sees it: `sending` (in flight, or being reconciled) is still pending. */
export function partStatusView(part: PartRow): OutboundPartStatus {
  const status = part.status === 'sending' ? 'pending' : part.status;
  return {
    index: part.part_index,
    kind: part.kind,
    ...(part.attachment_index !== null ? { attachmentIndex: part.attachment_index } : {}),
    status,
    ...(part.tiktok_message_id ? { tiktokMessageId: part.tiktok_message_id } : {}),
    ...(status === 'failed' && part.failure_reason ? { reason: part.failure_reason } : {}),
    ...(status === 'failed' && part.failure_detail ? { detail: part.failure_detail } : {}),
  };
}
