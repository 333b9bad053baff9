import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { TiktokApiError } from '../api/tiktok-api.error';
import type { FailureReason } from '../host/helpdesk-port';
import { InboundProcessor } from '../inbound/inbound-processor.service';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { ImageCapability } from './image-capability';
import { OutboundReporter } from './outbound-reporter';
import { OutboundStore, type OutboundConversation, type PartRow } from './outbound-store';
import { PartSender, type AttemptResult } from './part-sender';
import { TiktokRateLimiter } from './rate-limiter';
import { failureOf } from './send-failure';
import { SendReconciler } from './send-reconciler';

/** A part due sooner than this is waited for with the conversation held; later ones are left to a timer. */
const INLINE_WAIT_MS = 3000;
/** After TikTok throttles anyway, the business's next request waits at least this long. */
const THROTTLE_PAUSE_MS = 1000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;

interface Failure {
  reason: FailureReason;
  detail: string;
}

/**
 * Sends recorded parts. A conversation is driven by one worker at a time across every process
 * (a lease on its row, taken and renewed by single statements; nothing is held while TikTok
 * answers), which sends its unfinished parts strictly in order: a part whose answer was lost is
 * reconciled before anything after it goes, so no part is ever sent twice.
 *
 * Work starts three ways: a `send` kicks its conversation; a part due later (backoff) sets a
 * timer in this process; and the sweep (every `outboundSweepIntervalSeconds`, in every process)
 * claims conversations whose work is due and no live lease covers, which is how a crash's
 * leftovers are picked up.
 */
@Injectable()
export class OutboundWorker implements OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  /** This process's name on the leases it holds. */
  private readonly owner = randomUUID();
  private readonly active = new Map<string, { again: boolean }>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Attempts (`partId:attempts`) that one reconciliation found absent: the next look decides. */
  private readonly absentOnce = new Set<string>();
  private readonly stop = new AbortController();
  private closed = false;

  constructor(
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
    private readonly store: OutboundStore,
    private readonly sender: PartSender,
    private readonly reconciler: SendReconciler,
    private readonly reporter: OutboundReporter,
    private readonly limiter: TiktokRateLimiter,
    private readonly capability: ImageCapability,
    private readonly inbound: InboundProcessor,
  ) {}

  /** Whether this process is driving the conversation right now. */
  isDriving(conversationId: string): boolean {
    return this.active.has(conversationId);
  }

  /** Asks for the conversation's due parts to be sent soon. Only a latency shortcut: the sweep finds what a kick missed. */
  kick(conversationId: string): void {
    if (this.closed) return;
    const state = this.active.get(conversationId);
    if (state) {
      state.again = true;
      return;
    }
    this.start(conversationId, false);
  }

  /**
   * Claims conversations with work due that no live lease covers (up to `outboundConcurrency`
   * driven here at once) and drives them; reports final statuses a crash kept from the host.
   * Resolves once the conversations it claimed are done.
   */
  async sweep(): Promise<void> {
    if (this.closed) return;
    const room = this.config.outboundConcurrency - this.active.size;
    const claimed =
      room > 0 ? await this.store.claimDueConversations(this.owner, this.leaseMs(), room) : [];
    const runs = claimed.map((id) => this.start(id, true));
    await this.reporter.reportUnreported((id) => this.store.conversationById(id));
    await Promise.all(runs);
  }

  /** Sweeps until nothing is due now and nothing is being sent here: for tools and tests. */
  async settle(): Promise<void> {
    while (!this.closed) {
      await this.sweep();
      await Promise.all([...this.running]);
      if (this.running.size > 0) continue;
      // Not `SKIP LOCKED`: a conversation another transaction holds for a moment is still due.
      if (!(await this.store.hasDueConversation())) return;
      await this.pause(20);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private start(conversationId: string, claimed: boolean): Promise<void> {
    const state = { again: false };
    this.active.set(conversationId, state);
    const run = this.drive(conversationId, claimed, state)
      .catch((error: unknown) =>
        this.logger.error(
          `Sending in conversation ${conversationId} failed: ${(error as Error).message}`,
          (error as Error).stack,
        ),
      )
      .finally(() => {
        this.active.delete(conversationId);
        this.running.delete(run);
      });
    this.running.add(run);
    return run;
  }

  private async drive(
    conversationId: string,
    claimed: boolean,
    state: { again: boolean },
  ): Promise<void> {
    let holding = claimed;
    do {
      state.again = false;
      if (
        !holding &&
        !(await this.store.claimConversation(conversationId, this.owner, this.leaseMs()))
      ) {
        return; // another process drives it
      }
      holding = false;
      const reports: Array<Promise<unknown>> = [];
      try {
        await this.work(conversationId, reports);
      } finally {
        // Reports run beside the next part; the conversation is done when they are.
        await Promise.all(reports);
        await this.store.releaseConversation(conversationId, this.owner);
      }
    } while (state.again && !this.closed);
  }

  /** Sends (or reconciles) the conversation's parts in order until none is due. */
  private async work(conversationId: string, reports: Array<Promise<unknown>>): Promise<void> {
    // The lease was just taken: renew it only once half of it is gone.
    let leaseRenewedAt = Date.now();
    const holdLease = async (): Promise<boolean> => {
      if (Date.now() - leaseRenewedAt < this.leaseMs() / 2) return true;
      leaseRenewedAt = Date.now();
      return this.store.renewLease(conversationId, this.owner, this.leaseMs());
    };
    let conversation: OutboundConversation | null = null;
    while (!this.closed) {
      const part = await this.store.firstUnfinishedPart(conversationId);
      if (!part) return;
      if (part.due_in_ms > 0) {
        if (part.due_in_ms > INLINE_WAIT_MS) {
          this.wakeLater(conversationId, part.due_in_ms);
          return;
        }
        if (!(await holdLease())) return;
        if (!(await this.pause(part.due_in_ms))) return;
        continue;
      }
      if (!(await holdLease())) return;
      // Read once per turn of work, and again after anything went wrong (the account may have
      // needed reconnecting); the send path re-checks the account with TikTok anyway.
      conversation ??= await this.store.conversationById(conversationId);
      if (!conversation) return;
      if (part.status === 'sending') {
        await this.reconcile(part, conversation);
        conversation = null;
      } else if (conversation.account_status !== 'active') {
        await this.fail(
          part,
          conversation,
          failureOf(
            new TiktokApiError({
              errorClass: 'auth_revoked',
              endpoint: 'business/message/send/',
              message: 'the account needs reconnecting before anything can be sent',
            }),
          ),
        );
      } else {
        const result = await this.sender.attempt(part, conversation);
        await this.handle(part, conversation, result, reports);
        if (result.kind !== 'sent') conversation = null;
      }
    }
  }

  private async handle(
    part: PartRow,
    conversation: OutboundConversation,
    result: AttemptResult,
    reports: Array<Promise<unknown>>,
  ): Promise<void> {
    const attempt = part.attempts + 1;
    switch (result.kind) {
      case 'sent':
        return this.sent(part, conversation, result.tiktokMessageId, reports);
      case 'unknown':
        // Never sent again blindly: the next turn of the loop looks for it first.
        await this.store.reconcileLater(part.id, this.config.reconcileDelayMs, false);
        return;
      case 'retry':
        if (result.error.errorClass === 'rate_limited') {
          await this.limiter.backOff(conversation.business_id, THROTTLE_PAUSE_MS);
        }
        if (attempt >= this.config.maxSendAttempts) {
          return this.fail(part, conversation, failureOf(result.error));
        }
        await this.store.retryLater(part.id, backoff(attempt), attempt);
        return;
      case 'failed': {
        let failure: Failure = { reason: result.reason, detail: result.detail };
        if (part.message_type === 'IMAGE' && result.error instanceof TiktokApiError) {
          failure = await this.imageRefusal(conversation, failure);
        }
        return this.fail(part, conversation, failure);
      }
    }
  }

  /** TikTok refused an image: ask again whether this customer can receive images at all. */
  private async imageRefusal(
    conversation: OutboundConversation,
    failure: Failure,
  ): Promise<Failure> {
    await this.store.forgetImageCapability(conversation.id);
    const fresh = await this.store.conversationById(conversation.id);
    if (fresh && (await this.capability.imageSend(fresh)) === false) {
      return {
        reason: 'image_not_supported',
        detail:
          'TikTok says this customer cannot receive images (image messages are not available in every region).',
      };
    }
    return failure;
  }

  private async reconcile(part: PartRow, conversation: OutboundConversation): Promise<void> {
    let result;
    try {
      result = await this.reconciler.reconcile(part, conversation);
    } catch (error) {
      const attempt = part.reconcile_attempts + 1;
      if (attempt >= this.config.maxSendAttempts) {
        return this.fail(part, conversation, {
          reason: 'delivery_unconfirmed',
          detail:
            `TikTok did not answer the send, and its history could not be checked (${(error as Error).message}): ` +
            'the message may have arrived. Check the conversation in TikTok before sending it again.',
        });
      }
      await this.store.reconcileLater(part.id, backoff(attempt), true);
      return;
    }
    // Whether this attempt was found absent once already (the mark is dropped either way).
    const lookedOnce = this.absentOnce.delete(`${part.id}:${part.attempts}`);
    if (result.outcome === 'found') {
      return this.sent(part, conversation, result.tiktokMessageId);
    }
    if (result.outcome === 'undetermined') {
      return this.fail(part, conversation, {
        reason: 'delivery_unconfirmed',
        detail: result.detail,
      });
    }
    if (!lookedOnce) {
      // A request that timed out here may still be on its way through a slow server: one absent
      // look is not proof yet. Look again a request timeout later, and send again only then.
      this.absentOnce.add(`${part.id}:${part.attempts}`);
      await this.store.reconcileLater(
        part.id,
        this.config.requestTimeoutMs + this.config.reconcileDelayMs,
        false,
      );
      return;
    }
    // Proven absent: it never arrived, so sending it now cannot make a second one.
    if (part.attempts >= this.config.maxSendAttempts) {
      return this.fail(part, conversation, {
        reason: 'tiktok_unavailable',
        detail: `TikTok did not take the message in ${part.attempts} attempts.`,
      });
    }
    await this.store.retryLater(part.id, 0, part.attempts);
  }

  /**
   * Stores the part as sent. With `reports`, the host is told beside the next part's sending
   * (the caller awaits them before letting the conversation go); otherwise before returning.
   */
  private async sent(
    part: PartRow,
    conversation: OutboundConversation,
    tiktokMessageId: string,
    reports?: Array<Promise<unknown>>,
  ): Promise<void> {
    const { stored, echoHeld } = await this.store.markSent(part, tiktokMessageId, conversation);
    if (!stored) {
      return this.fail(part, conversation, {
        reason: 'unknown',
        detail: `TikTok answered with message id ${tiktokMessageId}, which another part already has.`,
      });
    }
    const report = this.reporter.settle(part.host_message_id, conversation);
    if (!reports) return void (await report);
    reports.push(
      report.catch((error: unknown) =>
        // The status stays unreported; the sweep reports it.
        this.logger.error(
          `Reporting message ${part.host_message_id} failed: ${(error as Error).message}`,
        ),
      ),
    );
    // An echo held back while this part was on its way can be matched now.
    if (echoHeld) {
      await this.inbound.wakeConversation(
        conversation.business_id,
        conversation.tiktok_conversation_id,
      );
    }
  }

  private async fail(
    part: PartRow,
    conversation: OutboundConversation,
    failure: Failure,
  ): Promise<void> {
    await this.store.markFailed(part, failure.reason, failure.detail);
    await this.reporter.settle(part.host_message_id, conversation);
  }

  /** Sleeps unless the module closes first; false when it did. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stop.signal });
      return true;
    } catch {
      return false;
    }
  }

  private wakeLater(conversationId: string, ms: number): void {
    clearTimeout(this.timers.get(conversationId));
    const timer = setTimeout(() => {
      this.timers.delete(conversationId);
      this.kick(conversationId);
    }, ms + 10);
    timer.unref();
    this.timers.set(conversationId, timer);
  }

  /** Long enough that only a holder that died (or froze) mid-call ever lets it lapse. */
  private leaseMs(): number {
    return Math.max(60_000, this.config.requestTimeoutMs * 4 + 30_000);
  }
}

/** Exponential, capped, with jitter so parts throttled together do not come back together. */
function backoff(attempt: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
