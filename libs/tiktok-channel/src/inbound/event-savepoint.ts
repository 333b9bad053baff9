import type { EntityManager } from 'typeorm';

/** Which savepoint of the run's transaction is open: the name is reused event after event. */
export interface SavepointState {
  open: boolean;
}

const NAME = 'tiktok_event';

/**
 * One event's savepoint, taken only when its handler runs its first statement: a failing event
 * must undo its own writes and keep the earlier events', but most events of a run (a message of a
 * conversation the run already linked) run no library statement at all, and then need no
 * savepoint and cost no round trip for it. When one is needed, the previous event's is released
 * in the same round trip.
 */
export class EventSavepoint {
  private taken = false;
  /** What the handlers get: the run's manager, whose `query` takes the savepoint first. */
  readonly manager: EntityManager;

  constructor(
    private readonly inner: EntityManager,
    private readonly state: SavepointState,
  ) {
    this.manager = new Proxy(inner, {
      get: (target, property, receiver) =>
        property === 'query'
          ? async (sql: string, parameters?: unknown[]) => {
              await this.take();
              return target.query(sql, parameters);
            }
          : Reflect.get(target, property, receiver),
    });
  }

  /** Undoes what the event wrote, if it wrote anything. */
  async rollback(): Promise<void> {
    if (this.taken) await this.inner.query(`ROLLBACK TO SAVEPOINT ${NAME}`);
  }

  private async take(): Promise<void> {
    if (this.taken) return;
    this.taken = true;
    await this.inner.query(
      this.state.open ? `RELEASE SAVEPOINT ${NAME}; SAVEPOINT ${NAME}` : `SAVEPOINT ${NAME}`,
    );
    this.state.open = true;
  }
}
