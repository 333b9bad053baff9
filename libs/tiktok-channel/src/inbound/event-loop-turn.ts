import { setImmediate } from 'node:timers/promises';

/**
 * Lets the event loop take what is waiting (webhook requests to read, sign-check and acknowledge)
 * before the next conversation's run: a run of linked conversations' messages runs no statement
 * of its own, so without this a whole transaction's handling is one task, and every
 * acknowledgement due meanwhile waits behind it.
 */
export function nextEventLoopTurn(): Promise<void> {
  return setImmediate();
}
