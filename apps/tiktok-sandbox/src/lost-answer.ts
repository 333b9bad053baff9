import type { Request, Response } from 'express';
import type { AfterAcceptFault } from './faults';

/** Emitted on the response when a handler answered but the answer is being lost on purpose. */
export const ANSWERED_EVENT = 'sandbox:answered';

/** How long a "timeout after accept" keeps the connection open before giving up on it. */
const HANG_MS = 120_000;

/**
 * Lets the handler carry the call out (store the message, send the echo) and then loses its answer:
 * `reset` drops the connection at once, `timeout` sends nothing until the client gives up. Either
 * way the client cannot tell whether TikTok accepted the call: the case a sender must reconcile.
 */
export function loseAnswer(request: Request, response: Response, fault: AfterAcceptFault): void {
  const socket = request.socket;
  response.end = function lostEnd(this: Response): Response {
    response.emit(ANSWERED_EVENT);
    if (fault === 'reset') {
      socket.destroy();
    } else {
      const timer = setTimeout(() => socket.destroy(), HANG_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
    return this;
  } as Response['end'];
}
