import { Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

type Listener = ((...args: unknown[]) => unknown) & {
  /** Set by EventEmitter2 on listeners registered with `{ async: true }` / `{ nextTick: true }`. */
  _async?: boolean;
  /** The function such a listener wraps. */
  _origin?: (...args: unknown[]) => unknown;
};

/**
 * Emits automation events when the host has `EventEmitterModule`; without it the library still
 * works, there is just nobody listening.
 *
 * Listeners are called by the publisher itself and their results awaited, so a listener that
 * throws or rejects is logged with the event's name and never becomes an unhandled rejection,
 * whatever its `@OnEvent` options. EventEmitter2 would run an `{ async: true }` listener in a
 * `setImmediate` of its own and drop its promise; the publisher calls the function that wrapper
 * holds instead. Publishing never waits for an async listener: processing goes on while it runs.
 */
@Injectable()
export class TiktokEventPublisher implements OnModuleDestroy {
  private readonly logger = new Logger('TiktokChannel');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(@Optional() private readonly emitter?: EventEmitter2) {}

  publish<T extends object>(name: string, payload: T): void {
    if (!this.emitter) return;
    // `onAny` listeners get the event name first, as EventEmitter2 calls them.
    const calls = [
      ...(this.emitter.listeners(name) as Listener[]).map((l) => this.call(l, name, [payload])),
      ...(this.emitter.listenersAny() as Listener[]).map((l) =>
        this.call(l, name, [name, payload]),
      ),
    ];
    if (calls.length === 0) return;
    const delivery = Promise.allSettled(calls).then(() => undefined);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Resolves once every listener called so far has finished (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.settled();
  }

  private async call(listener: Listener, name: string, args: unknown[]): Promise<void> {
    const target = listener._async && listener._origin ? listener._origin : listener;
    try {
      await target.call({ event: name }, ...args);
    } catch (error) {
      this.logger.error(
        `A listener of ${name} failed: ${(error as Error)?.message ?? String(error)}`,
        (error as Error)?.stack,
      );
    }
  }
}
