import { Logger } from '@nestjs/common';
import type { EchoMessage, InboundMessage, TiktokHelpdeskPort } from '../host/helpdesk-port';
import type { InboundEventRow } from './inbound-event';

/** The conversation an event belongs to, as the batch groups messages. */
export function conversationOf(event: InboundEventRow): string {
  return `${event.business_id}\u0000${event.tiktok_conversation_id ?? ''}`;
}

export interface AppendedMessage {
  messageId: string;
  created: boolean;
}

interface Queued {
  /** The conversation's key: a refused message holds back its own conversation only. */
  group: string;
  event: InboundEventRow;
  message: InboundMessage | EchoMessage;
  appended: (result: AppendedMessage) => void;
}

/**
 * The event whose message the host refused: it and the events of its conversation after it are
 * not done.
 */
export interface BatchFailure {
  event: InboundEventRow;
  error: unknown;
}

/**
 * The plain messages of a transaction's runs (one conversation or several), handed to the host
 * in one `appendMessages` call instead of one `appendMessage` round trip (and, in the demo, one
 * transaction) each. The caller flushes before any event of another kind, so the host sees every
 * conversation's events in order.
 *
 * When the batch call throws, the same messages go one at a time: a refused message fails as its
 * own event would have, the later messages of its conversation are not sent, and every other
 * conversation's messages are stored.
 */
export class MessageBatch {
  private readonly logger = new Logger('TiktokChannel');
  private queued: Queued[] = [];

  constructor(private readonly port: TiktokHelpdeskPort) {}

  /** Whether the host takes messages in batches at all (`appendMessages` is optional). */
  get enabled(): boolean {
    return typeof this.port.appendMessages === 'function';
  }

  get size(): number {
    return this.queued.length;
  }

  /** `appended` runs once the host has the message, in queue order. */
  add(
    event: InboundEventRow,
    message: InboundMessage | EchoMessage,
    appended: (result: AppendedMessage) => void,
  ): void {
    this.queued.push({ group: conversationOf(event), event, message, appended });
  }

  /** Hands the queued messages to the host; the refused ones, at most one per conversation. */
  async flush(): Promise<BatchFailure[]> {
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 0) return [];
    if (queued.length > 1 && this.port.appendMessages) {
      try {
        const results = await this.port.appendMessages(queued.map((q) => q.message));
        if (results.length !== queued.length)
          throw new Error(`answered ${results.length} results for ${queued.length} messages`);
        queued.forEach((q, index) => q.appended(results[index]));
        return [];
      } catch (error) {
        this.logger.warn(
          `appendMessages failed for ${queued.length} messages, appending them one at a time: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    }
    const failures: BatchFailure[] = [];
    const refused = new Set<string>();
    for (const q of queued) {
      if (refused.has(q.group)) continue; // it waits behind its conversation's refused message
      try {
        q.appended(await this.port.appendMessage(q.message));
      } catch (error) {
        refused.add(q.group);
        failures.push({ event: q.event, error });
      }
    }
    return failures;
  }
}
