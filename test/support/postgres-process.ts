import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface PostgresProcess {
  /** `postgres://…/postgres` of the server. */
  url: string;
  /** The postmaster's pid (a grandchild: the node process that started it is `ownerPid`). */
  pid: number;
  ownerPid: number;
  /** A fast shutdown of the server, then its node process exits. */
  stop(): Promise<void>;
  /** Only the node process that started the server, with SIGKILL: the server is orphaned. */
  killOwner(): Promise<void>;
}

/**
 * Starts `postgres-server.main.ts` in a child process: a PostgreSQL of its own on `dataDir` and
 * `port`, which a test may stop, crash and start again on the same folder and port.
 */
export async function startPostgresProcess(
  dataDir: string,
  port: number,
): Promise<PostgresProcess> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      './scripts/register-ts-paths.js',
      'test/support/postgres-server.main.ts',
      dataDir,
      String(port),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; pid: number });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then(() => reject(new Error(`PostgreSQL did not start:\n${output}`)));
  });
  return {
    ...ready,
    ownerPid: child.pid as number,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
    killOwner: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
