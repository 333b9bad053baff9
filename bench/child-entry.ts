import type { Commands, FromChild, ToChild } from './child-protocol';

/** What a child does for each of its commands. */
export type Handlers<C extends Commands> = {
  [K in keyof C]: (args: C[K]['args']) => Promise<C[K]['result']> | C[K]['result'];
};

/** A part that has not closed within this after the bench let go is ended anyway. */
const SHUTDOWN_GRACE_MS = 15_000;

function send(message: FromChild): void {
  process.send?.(message);
}

/**
 * The child's side: answers the bench's commands, and shuts down when the IPC channel closes,
 * which is both how the bench asks (it disconnects) and what happens when the bench dies, even by
 * SIGKILL: a bench that is gone must not leave a demo holding its database.
 */
export function serveCommands<C extends Commands>(
  handlers: Handlers<C>,
  shutdown: () => Promise<void>,
): void {
  process.on('message', (message: ToChild) => {
    if (message.type !== 'call') return;
    const handler = (handlers as Record<string, (args: unknown) => unknown>)[message.command];
    if (!handler) {
      send({ type: 'failed', id: message.id, message: `unknown command ${message.command}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => send({ type: 'reply', id: message.id, result }),
        (error: unknown) =>
          send({
            type: 'failed',
            id: message.id,
            message: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`bench child ${process.pid}: shutting down failed:`, error);
        process.exit(1);
      },
    );
  });
  send({ type: 'ready' });
}
