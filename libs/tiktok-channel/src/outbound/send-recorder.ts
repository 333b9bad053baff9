import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../persistence/sql';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { Batcher } from '../persistence/batcher';
import { CONVERSATION_COLUMNS } from './outbound-batches';
import { checkConversationRules, REPLY_WINDOW_MS } from './messaging-rules';
import { OutboundRefusal } from './outbound-refusal';
import {
  OutboundStore,
  type OutboundConversation,
  type PreparedMedia,
  type SentCounts,
} from './outbound-store';
import type { PlannedPart } from './send-plan';

export interface RecordInput {
  conversationId: string;
  hostMessageId: string;
  parts: Array<PlannedPart & { media?: PreparedMedia }>;
  /** Record the request as told `pending` already (nobody waits for the outcome). */
  pendingReported: boolean;
}

export type RecordResult =
  /** The request and its parts are durable, and the conversation is due. */
  | { kind: 'recorded' }
  /** A request with this id was recorded before: nothing was recorded now. */
  | { kind: 'exists' }
  | { kind: 'refused'; refusal: OutboundRefusal }
  | { kind: 'conversation_not_found' };

/** Sends recorded in one transaction at most. */
const MAX_BATCH = 200;

/** A conversation row locked for the batch, with the counts the caps look at. */
type LockedConversation = OutboundConversation & { since: number; after: number };

/**
 * Records sends durably: the request, its parts, and the conversation marked due, after the caps
 * were counted with the conversation locked (so two sends to one conversation count one after
 * the other, in every process).
 *
 * Sends that arrive together are recorded together in one transaction (a handful of statements
 * for up to 200 sends instead of six each), in the order they were asked, the caps counted as if
 * one after the other. Sends with images, and any batch that fails, are recorded one by one.
 */
@Injectable()
export class SendRecorder {
  private readonly batcher = new Batcher<RecordInput, RecordResult>(
    (inputs) => this.recordMany(inputs),
    {
      name: 'record sends',
      maxBatch: MAX_BATCH,
      maxInFlight: 3,
      runOne: (input) => this.recordOne(input),
      // A conversation's sends are recorded in the order asked, never by two transactions at
      // once; and a burst asked conversation after conversation gets every conversation's first
      // send recorded (its sending started) before anyone's tenth.
      fairBy: (input) => input.conversationId,
    },
  );

  constructor(
    private readonly store: OutboundStore,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  record(input: RecordInput): Promise<RecordResult> {
    if (input.parts.some((part) => part.media)) return this.recordOne(input);
    return this.batcher.call(input);
  }

  /** Throws the refusal when the conversation has no room for `parts` more messages. */
  checkCounts(conversation: OutboundConversation, counts: SentCounts, parts: number): void {
    const violation = checkConversationRules({
      lastInboundAt: conversation.last_inbound_at,
      now: new Date(),
      partCount: parts,
      sentSinceCustomer: counts.sinceCustomer,
      sentAfterWindow: counts.afterWindow,
      caps: {
        beforeCustomerReply: this.config.maxMessagesBeforeCustomerReply,
        afterReplyWindow: this.config.maxMessagesAfterReplyWindow,
      },
    });
    if (violation) throw new OutboundRefusal(violation.reason, violation.detail);
  }

  /** One send in a transaction of its own. */
  private async recordOne(input: RecordInput): Promise<RecordResult> {
    try {
      return await this.store.transaction(async (manager) => {
        const locked = await this.store.lockConversation(manager, input.conversationId, {
          makeDue: true,
        });
        if (!locked) return { kind: 'conversation_not_found' } as const;
        const recorded = await this.store.recordRequest(manager, locked, input.hostMessageId, {
          pendingReported: input.pendingReported,
        });
        if (!recorded) return { kind: 'exists' } as const;
        // A refusal here rolls the request back with everything else.
        this.checkCounts(
          locked,
          await this.store.sentCounts(manager, locked.id, locked.last_inbound_at),
          input.parts.length,
        );
        await this.store.recordParts(manager, locked, input.hostMessageId, input.parts);
        return { kind: 'recorded' } as const;
      });
    } catch (error) {
      if (error instanceof OutboundRefusal) return { kind: 'refused', refusal: error };
      throw error;
    }
  }

  /** Several sends in one transaction, as if recorded one after the other in the order asked. */
  private recordMany(inputs: RecordInput[]): Promise<RecordResult[]> {
    return this.store.transaction(async (manager) => {
      const { conversations, existing } = await this.lockConversations(
        manager,
        [...new Set(inputs.map((input) => input.conversationId))],
        inputs.map((input) => input.hostMessageId),
      );
      const results: RecordResult[] = [];
      const accepted: Array<{ input: RecordInput; conversation: LockedConversation }> = [];
      for (const input of inputs) {
        const conversation = conversations.get(input.conversationId);
        if (!conversation) {
          results.push({ kind: 'conversation_not_found' });
          continue;
        }
        if (existing.has(input.hostMessageId)) {
          results.push({ kind: 'exists' });
          continue;
        }
        try {
          this.checkCounts(
            conversation,
            { sinceCustomer: conversation.since, afterWindow: conversation.after },
            input.parts.length,
          );
        } catch (error) {
          if (!(error instanceof OutboundRefusal)) throw error;
          results.push({ kind: 'refused', refusal: error });
          continue;
        }
        // Counted for the sends after it in the batch, as its recorded parts would be.
        conversation.since += input.parts.length;
        conversation.after += input.parts.length;
        existing.add(input.hostMessageId);
        accepted.push({ input, conversation });
        results.push({ kind: 'recorded' });
      }
      await this.insert(manager, accepted);
      return results;
    });
  }

  /**
   * Locks the conversations in id order (every statement that locks several does, so two batches
   * cannot deadlock), marks them due, and reads them; then counts, in a statement of its own so
   * that it sees what a transaction that held a lock before us recorded.
   */
  private async lockConversations(
    manager: EntityManager,
    ids: string[],
    hostMessageIds: string[],
  ): Promise<{ conversations: Map<string, LockedConversation>; existing: Set<string> }> {
    const rows = await queryRows<OutboundConversation>(
      manager,
      `UPDATE tiktok_conversations c
          SET outbound_due_at = LEAST(COALESCE(c.outbound_due_at, now()), now())
         FROM tiktok_accounts a
        WHERE c.id IN (SELECT id FROM tiktok_conversations WHERE id = ANY($1::uuid[])
                        ORDER BY id FOR UPDATE)
          AND a.id = c.account_id
        RETURNING ${CONVERSATION_COLUMNS}`,
      [ids],
    );
    const counted = rows.filter((row) => row.last_inbound_at !== null);
    // One statement answers both: the counts per conversation, and which ids exist already.
    const [answer] = await queryRows<{
      counts: Array<{ id: string; since: number; after: number }> | null;
      existing: string[] | null;
    }>(
      manager,
      `SELECT
         (SELECT json_agg(c) FROM (
            SELECT i.id,
                   count(m.id) FILTER (WHERE m.created_at > i.since)::int AS since,
                   count(m.id) FILTER (WHERE m.created_at > i.window_end)::int AS after
              FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS i(id, since, window_end)
              LEFT JOIN tiktok_outbound_messages m
                     ON m.conversation_id = i.id AND m.status <> 'failed'
             GROUP BY i.id) c) AS counts,
         (SELECT array_agg(host_message_id) FROM tiktok_outbound_requests
           WHERE host_message_id = ANY($4::text[])) AS existing`,
      [
        counted.map((row) => row.id),
        counted.map((row) => row.last_inbound_at),
        counted.map((row) => new Date((row.last_inbound_at as Date).getTime() + REPLY_WINDOW_MS)),
        hostMessageIds,
      ],
    );
    const byId = new Map((answer?.counts ?? []).map((row) => [row.id, row]));
    return {
      conversations: new Map(
        rows.map((row) => [
          row.id,
          { ...row, since: byId.get(row.id)?.since ?? 0, after: byId.get(row.id)?.after ?? 0 },
        ]),
      ),
      existing: new Set(answer?.existing ?? []),
    };
  }

  /** The accepted requests and their parts, two statements for the batch. */
  private async insert(
    manager: EntityManager,
    accepted: Array<{ input: RecordInput; conversation: LockedConversation }>,
  ): Promise<void> {
    if (accepted.length === 0) return;
    // One transaction stamps every row with the same now(): a microsecond per send keeps the
    // conversation's order (created_at first) the order the sends were asked in.
    const parts = accepted.flatMap(({ input, conversation }, order) =>
      input.parts.map((part, index) => ({
        order,
        account_id: conversation.account_id,
        conversation_id: conversation.id,
        host_message_id: input.hostMessageId,
        part_index: index,
        message_type: part.messageType,
        kind: part.kind,
        body: part.body,
        attachment_index: part.attachmentIndex,
        referenced_message_id: part.referencedMessageId,
        share_item_id: part.shareItemId,
      })),
    );
    const [row] = await queryRows<{ requests: number }>(
      manager,
      `WITH requests AS (
         INSERT INTO tiktok_outbound_requests
           (host_message_id, account_id, conversation_id, status, reported_status)
         SELECT r.host_message_id, r.account_id, r.conversation_id, 'pending',
                CASE WHEN r.pending_reported THEN 'pending' END
           FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::boolean[])
                AS r(host_message_id, account_id, conversation_id, pending_reported)
         ON CONFLICT (host_message_id) DO NOTHING RETURNING host_message_id
       ), parts AS (
         INSERT INTO tiktok_outbound_messages
           (account_id, conversation_id, host_message_id, part_index, message_type, kind, body,
            status, attachment_index, referenced_message_id, share_item_id, created_at)
         SELECT p.account_id, p.conversation_id, p.host_message_id, p.part_index, p.message_type,
                p.kind, p.body, 'pending', p.attachment_index, p.referenced_message_id,
                p.share_item_id, now() + make_interval(secs => p."order" / 1e6)
           FROM jsonb_to_recordset($5::jsonb) AS p("order" int, account_id uuid,
                conversation_id uuid, host_message_id text, part_index int, message_type text,
                kind text, body text, attachment_index int, referenced_message_id text,
                share_item_id text)
          WHERE p.host_message_id IN (SELECT host_message_id FROM requests)
          ORDER BY p."order", p.part_index
       )
       SELECT (SELECT count(*) FROM requests)::int AS requests`,
      [
        accepted.map((a) => a.input.hostMessageId),
        accepted.map((a) => a.conversation.account_id),
        accepted.map((a) => a.conversation.id),
        accepted.map((a) => a.input.pendingReported),
        JSON.stringify(parts),
      ],
    );
    if (row?.requests !== accepted.length) {
      // Another process recorded one of these ids meanwhile (in another conversation, since ours
      // are locked): the counts above included it. Undo the batch; each is then recorded alone.
      throw new Error('a send was recorded concurrently; recording the batch one by one');
    }
  }
}
