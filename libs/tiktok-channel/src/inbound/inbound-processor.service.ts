import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { TIKTOK_HELPDESK_PORT, type TiktokHelpdeskPort } from '../host/helpdesk-port';
import { TiktokEventPublisher } from '../host/tiktok-event-publisher';
import { queryRows } from '../persistence/sql';
import type { HandlerVerdict, InboundEventRow, Publication } from './inbound-event';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { InboundHandlers } from './inbound-handlers';
import { InboundRun } from './inbound-run';
import { EventSavepoint, type SavepointState } from './event-savepoint';
import { WAITING_FOR_CONNECT } from './inbound-constants';
import { InboundParking } from './inbound-parking';
import { HostLinkCache } from './host-link-cache';
import { conversationOf, MessageBatch } from './message-batch';
import { lookForCandidates, type Candidate } from './candidate-look';
import { claimRuns, type RunClaim } from './run-claim';
import { finishRun, type FinishedEvent } from './run-finish';
import { findOwnSends } from './echo-lookup';
import { eventsPerConversation, MAX_RUN } from './transaction-share';
import { nextEventLoopTurn } from './event-loop-turn';

/** After this many failed attempts an event is parked as `failed` for a person to look at. */
export const MAX_ATTEMPTS = 10;
/** Conversations tried per step when other workers hold the first ones. */
const CANDIDATES = 32;

type Step = 'none' | 'busy' | 'worked';

/**
 * Turns stored webhooks into host records, one conversation at a time and in TikTok's order,
 * across any number of processes:
 *
 * - the conversation's lock (a transaction-scoped advisory lock) is taken BEFORE any of its events
 *   is claimed, so no worker can hold an older event while another handles a newer one;
 * - only the head of a conversation's queue is handled: an event waiting for a retry holds back
 *   every later event of its conversation until it succeeds or is parked;
 * - one transaction takes a run of due events for each of several conversations (fewer round
 *   trips per event), each conversation with its own order and its own failures.
 */
@Injectable()
export class InboundProcessor implements OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  /** The running drain loops of this process, at most `inboundWorkers`. */
  private readonly workers = new Set<Promise<void>>();
  /** Conversations a worker of this process holds: the others skip them without a round trip. */
  private readonly held = new Set<string>();
  /**
   * Held conversations another worker of this process skipped: their holder may have read its
   * events before the one that woke the skipper was stored, so it looks again when it lets go.
   */
  private readonly skipped = new Set<string>();
  private again = false;
  /** Deliveries intake has taken, and how many it had when the latest step began. */
  private deliveries = 0;
  private deliveriesAtLastStep = 0;
  private closed = false;
  private paused: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handlers: InboundHandlers,
    private readonly events: TiktokEventPublisher,
    private readonly parking: InboundParking,
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly hostLinks: HostLinkCache,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {
    this.paused = config.inboundProcessingPaused;
  }

  /**
   * Asks for a drain soon: a wake-up, not a poll. Starts one more worker while fewer than
   * `inboundWorkers` run (a burst of kicks ramps up to the budget), else tells the running ones to
   * look again before they stop. Only a latency shortcut: the sweep finds anything a kick missed.
   */
  kick(): void {
    if (this.closed || this.paused) return;
    this.again = true;
    if (this.workers.size >= this.config.inboundWorkers) return;
    const worker: Promise<void> = (async () => {
      while (this.again && !this.closed && !this.paused) {
        this.again = false;
        try {
          await this.drain();
        } catch (error) {
          this.logger.error(`Processing TikTok events failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => this.workers.delete(worker));
    this.workers.add(worker);
  }

  /**
   * Intake took a delivery (new or not): while they keep coming, transactions stay within
   * `inboundEventsPerTransaction`, so acknowledgements do not wait behind a big one.
   */
  noteDelivery(): void {
    this.deliveries++;
  }

  /** Drain loops running in this process now (at most `inboundWorkers`): for metrics and tests. */
  get runningWorkers(): number {
    return this.workers.size;
  }

  /** True while `inboundProcessingPaused` or `pause()` holds processing (intake goes on). */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Stops taking new runs: webhooks are still stored and acknowledged, and wait. Resolves once the
   * runs in progress have committed.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.idle();
  }

  /** Processing goes on, starting with whatever arrived while paused. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.kick();
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
   * need a settled state; production relies on kicks and the sweep. While paused, only waits for
   * runs still in progress: nothing new starts.
   */
  async settle(): Promise<void> {
    if (this.paused) return this.idle();
    await this.wakeConnectedBusinesses();
    this.kick();
    await this.idle();
  }

  private async idle(): Promise<void> {
    while (this.workers.size > 0) await Promise.all([...this.workers]);
  }

  /** Processes due conversations until none is left that no other worker holds. */
  private async drain(): Promise<void> {
    while (!this.closed && !this.paused && (await this.step()) === 'worked') {
      // each step commits one transaction for the candidate conversations it could take
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  /** Handles one run of one conversation's events; false when nothing is due. */
  async processNext(): Promise<boolean> {
    return (await this.step(1)) !== 'none';
  }

  /**
   * One look for candidates, then one transaction for those that no other worker holds, up to
   * `maxRuns`: each conversation's run keeps its own order and its own failures, and they share
   * the look, the claim, the host's `appendMessages` and the finish. Under a live stream a
   * conversation's run is 1–3 events, so statements paid per transaction rather than per run are
   * most of what processing saves. A candidate may be stale by the time the claim reads it
   * (another worker took it, or its head failed meanwhile): the claim re-reads each conversation
   * from its head under its lock and the run stops at the first event not due, so a stale
   * candidate costs nothing, never the order.
   */
  private async step(maxRuns = CANDIDATES): Promise<Step> {
    const candidates = await lookForCandidates(this.dataSource, CANDIDATES);
    if (candidates.length === 0) return 'none';
    const taken: Array<Candidate & { key: string }> = [];
    const cap = this.transactionCap();
    const runs = Math.min(maxRuns, cap);
    for (const candidate of candidates) {
      if (taken.length >= runs) break;
      const key = conversationLockKey(candidate.business_id, candidate.tiktok_conversation_id);
      if (this.held.has(key)) {
        this.skipped.add(key); // a worker of this process has it, and will look again
        continue;
      }
      this.held.add(key);
      taken.push({ ...candidate, key });
    }
    if (taken.length === 0) return 'busy';
    try {
      if (this.closed || this.paused) return 'busy';
      return (await this.runTogether(taken, cap)) > 0 ? 'worked' : 'busy';
    } finally {
      // Released after the commit: the advisory locks went with the transaction.
      for (const { key } of taken) {
        this.held.delete(key);
        if (this.skipped.delete(key)) this.again = true;
      }
    }
  }

  /**
   * Events this step's transaction may handle: `inboundEventsPerTransaction` while webhooks arrive
   * (deliveries came in since the previous step began), else as many as its conversations hold up
   * to `MAX_RUN` each. A backlog alone drains in the biggest transactions: each pays a look and a
   * claim over the pending indexes, and in the bench a backlog drained 256 events at a time cost
   * PostgreSQL 0.69 ms per event against 0.14 ms at 1,600 (the indexes still hold what was
   * processed until a vacuum, so small steps may walk it over and over).
   */
  private transactionCap(): number {
    const intakeBusy = this.deliveries !== this.deliveriesAtLastStep;
    this.deliveriesAtLastStep = this.deliveries;
    return intakeBusy ? this.config.inboundEventsPerTransaction : CANDIDATES * MAX_RUN;
  }

  /** The runs of these conversations in one transaction; how many events they settled. */
  private async runTogether(
    taken: Array<Candidate & { key: string }>,
    cap: number,
  ): Promise<number> {
    const publications: Publication[] = [];
    const settled = await this.dataSource.transaction(async (manager) => {
      const claims = await claimRuns(
        manager,
        taken.map((t) => ({
          lockKey: t.key,
          businessId: t.business_id,
          tiktokConversationId: t.tiktok_conversation_id,
        })),
        eventsPerConversation(cap, taken.length),
      );
      // Empty: other processes have these conversations (or nothing is left).
      if (claims.length === 0) return 0;
      return this.runConversations(manager, claims, publications);
    });
    for (const publication of publications)
      this.events.publish(publication.name, publication.payload);
    return settled;
  }

  /**
   * Under each conversation's lock: its pending events in TikTok order, handled while each is due
   * and succeeds; a conversation that stops does not stop the others. Returns how many were
   * settled (processed, ignored, parked).
   */
  private async runConversations(
    manager: EntityManager,
    claims: RunClaim[],
    publications: Publication[],
  ): Promise<number> {
    const run = new InboundRun(new MessageBatch(this.port));
    run.ownSends = await findOwnSends(
      manager,
      claims.flatMap((claim) => claim.events.filter((row) => row.due && row.claimed)),
    );
    const savepoint: SavepointState = { open: false };
    const finished: FinishedEvent[] = [];
    const tally = { parked: 0 };
    for (const [index, claim] of claims.entries()) {
      if (index > 0) await nextEventLoopTurn();
      const [head] = claim.events;
      run.accounts.set(head.business_id, claim.account);
      if (claim.account && head.tiktok_conversation_id !== null)
        run.rememberStored(claim.account.id, head.tiktok_conversation_id, claim.link);
      const conversation = conversationOf(head);
      for (const row of claim.events) {
        if (!row.due || !row.claimed) break;
        if (run.messages.size > 0 && !this.handlers.batchable(row)) {
          // The host gets the batch before an event of another kind, so it sees the run's order.
          const refused = await this.flushMessages(manager, run, finished, publications, tally);
          if (refused.has(conversation)) break; // what follows the refused message waits behind it
        }
        const done = await this.handleOne(
          manager,
          row,
          publications,
          run,
          finished,
          savepoint,
          tally,
        );
        if (!done) break; // it failed or waits: the rest of the conversation waits behind it
      }
    }
    await this.flushMessages(manager, run, finished, publications, tally);
    await finishRun(manager, finished, run.takeReplyWindowMoves());
    return finished.length + tally.parked;
  }

  /**
   * Hands the batched messages to the host. When the host refuses one, that event fails as if its
   * handler had thrown, and the events of its conversation settled after it are settled no
   * longer: they stay pending, behind it. Returns the conversations that were refused.
   */
  private async flushMessages(
    manager: EntityManager,
    run: InboundRun,
    finished: FinishedEvent[],
    publications: Publication[],
    tally: { parked: number },
  ): Promise<Set<string>> {
    const refused = new Set<string>();
    for (const failure of await run.messages.flush()) {
      const conversation = conversationOf(failure.event);
      refused.add(conversation);
      const at = finished.findIndex((f) => f.id === failure.event.id);
      if (at < 0) throw new Error(`event ${failure.event.id} was batched but not settled`);
      const kept = finished.filter((f, index) => index < at || f.conversation !== conversation);
      finished.splice(0, finished.length, ...kept);
      if (await this.failed(manager, failure.event, failure.error, publications)) tally.parked++;
    }
    return refused;
  }

  /** True when the event is settled; false when it is to be tried again later. */
  private async handleOne(
    manager: EntityManager,
    event: InboundEventRow,
    publications: Publication[],
    run: InboundRun,
    finished: FinishedEvent[],
    savepointState: SavepointState,
    tally: { parked: number },
  ): Promise<boolean> {
    const savepoint = new EventSavepoint(manager, savepointState);
    const mark = publications.length;
    let verdict: HandlerVerdict;
    try {
      verdict = await this.handlers.handle(savepoint.manager, event, publications, run);
    } catch (error) {
      await savepoint.rollback();
      publications.length = mark;
      run.forgetLinks(); // what this event linked was rolled back with it
      const parked = await this.failed(manager, event, error, publications);
      if (parked) tally.parked++;
      return parked;
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
    finished.push({
      id: event.id,
      conversation: conversationOf(event),
      status: verdict.outcome,
      note: verdict.note ?? null,
    });
    return true;
  }

  /**
   * An attempt failed: tried again after a backoff, or parked after `MAX_ATTEMPTS`. True when
   * parked (settled: the conversation's later events go on).
   */
  private async failed(
    manager: EntityManager,
    event: InboundEventRow,
    error: unknown,
    publications: Publication[],
  ): Promise<boolean> {
    // The host may have lost what this process remembers of it (a removed conversation): the
    // retry asks it again.
    this.hostLinks.clear();
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
    if (parked) await this.parking.parked(manager, event, message, publications);
    return parked;
  }
}

/** One lock per conversation (events without a conversation share one per business). */
export function conversationLockKey(
  businessId: string,
  tiktokConversationId: string | null,
): string {
  return `tiktok:${businessId}:${tiktokConversationId ?? ''}`;
}
