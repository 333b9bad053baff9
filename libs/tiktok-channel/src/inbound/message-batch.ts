import { Logger } from '@nestjs/common';
import type { EchoMessage, InboundMessage, TiktokHelpdeskPort } from '../host/helpdesk-port';
import type { InboundEventRow } from './inbound-event';

export interface AppendedMessage {
  messageId: string;
  created: boolean;
}

interface Queued {
  event: InboundEventRow;
  message: InboundMessage | EchoMessage;
  appended: (result: AppendedMessage) => void;
}

/** The event whose message the host refused: it and the run's events after it are not done. */
export interface BatchFailure {
  event: InboundEventRow;
  error: unknown;
}

/**
 * A run's plain messages, handed to the host in one `appendMessages` call instead of one
 * `appendMessage` round trip (and, in the demo, one transaction) each. The caller flushes before
 * any event of another kind, so the host sees every event in the run's order.
 *
 * When the batch call throws, the same messages go one at a time: the ones before the refused
 * message are stored, the refused one fails as its own event would have.
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
    this.queued.push({ event, message, appended });
  }

  /** Hands the queued messages to the host; null when every one of them is stored. */
  async flush(): Promise<BatchFailure | null> {
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 0) return null;
    if (queued.length > 1 && this.port.appendMessages) {
      try {
        const results = await this.port.appendMessages(queued.map((q) => q.message));
        if (results.length !== queued.length)
          throw new Error(`answered ${results.length} results for ${queued.length} messages`);
        queued.forEach((q, index) => q.appended(results[index]));
        return null;
      } catch (error) {
        this.logger.warn(
          `appendMessages failed for ${queued.length} messages, appending them one at a time: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    }
    for (const q of queued) {
      try {
        q.appended(await this.port.appendMessage(q.message));
      } catch (error) {
        return { event: q.event, error };
      }
    }
    return null;
  }
}
