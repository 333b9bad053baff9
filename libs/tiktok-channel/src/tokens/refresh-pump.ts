/**
 * The shape of a refresh sweep in one process: at most `slots` TikTok calls out at once, accounts
 * claimed only for free slots, answers stored in batches. Claims and stores are each one statement
 * at a time: while one runs, more slots free up and more answers come in, and the next statement
 * takes all of them. When the database answers fast, batches stay small; when it is slow, fewer
 * and larger statements keep the calls going instead of queueing on the pool.
 */
export interface RefreshPumpSteps<C, A> {
  /** TikTok calls out at once. */
  slots: number;
  /** Claims up to `max` due accounts (leases them); fewer than `max` means none are left. */
  claim(max: number): Promise<C[]>;
  /** Calls TikTok for a claimed account. Must not throw: the answer carries a failure. */
  call(claim: C): Promise<A>;
  /** Stores a batch of answers and lets go of their accounts. */
  store(batch: Array<{ claim: C; answer: A }>): Promise<{ refreshed: number; failed: number }>;
}

export interface RefreshPumpResult {
  refreshed: number;
  failed: number;
}

export async function pumpRefreshes<C, A>(
  steps: RefreshPumpSteps<C, A>,
): Promise<RefreshPumpResult> {
  const totals = { refreshed: 0, failed: 0 };
  const answered: Array<{ claim: C; answer: A }> = [];
  let inFlight = 0;
  let storing = false;
  let claimError: unknown;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const changed = () => new Promise<void>((resolve) => (wake = resolve));

  const flush = (): void => {
    if (storing || answered.length === 0) return;
    const batch = answered.splice(0);
    storing = true;
    steps
      .store(batch)
      .then(
        (stored) => {
          totals.refreshed += stored.refreshed;
          totals.failed += stored.failed;
        },
        () => {
          totals.failed += batch.length;
        },
      )
      .finally(() => {
        storing = false;
        flush();
        wakeUp();
      });
  };

  for (let exhausted = false; !exhausted;) {
    const free = steps.slots - inFlight;
    if (free === 0) {
      await changed();
      continue;
    }
    let claims: C[];
    try {
      claims = await steps.claim(free);
    } catch (error) {
      claimError = error;
      break;
    }
    if (claims.length < free) exhausted = true;
    for (const claim of claims) {
      inFlight++;
      void steps.call(claim).then(
        (answer) => {
          inFlight--;
          answered.push({ claim, answer });
          flush();
          wakeUp();
        },
        () => {
          // `call` broke its promise not to throw: the account stays leased until its lease lapses.
          inFlight--;
          totals.failed++;
          wakeUp();
        },
      );
    }
  }
  while (inFlight > 0 || storing || answered.length > 0) {
    flush();
    await changed();
  }
  if (claimError !== undefined) throw claimError;
  return totals;
}
