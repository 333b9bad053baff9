import { Injectable } from '@nestjs/common';

/**
 * Wakes a `send` waiting in this process when the worker here settles its message, so waiting
 * costs no polling. Only a latency shortcut: a waiter also re-reads the database.
 */
@Injectable()
export class OutcomeHub {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves on the next notification for the message, or after `ms`. */
  wait(hostMessageId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(hostMessageId) ?? new Set<() => void>();
      this.waiters.set(hostMessageId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(hostMessageId) === set) {
          this.waiters.delete(hostMessageId);
        }
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      set.add(done);
    });
  }

  notify(hostMessageId: string): void {
    for (const wake of [...(this.waiters.get(hostMessageId) ?? [])]) wake();
  }

  /** Releases every waiter (shutdown). */
  notifyAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }
}
