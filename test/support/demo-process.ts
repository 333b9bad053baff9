import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { generateAdmin, saveCredentials, type Credentials } from './e2e-harness';

const ROOT = join(__dirname, '..', '..');
const READY_LINE = 'Helpdesk demo is running.';

/**
 * Variables of the test process that must not leak into a demo: it would use the tests' database
 * server, or another sandbox, instead of what its test gives it.
 */
const INHERITED_BUT_NOT_WANTED =
  /^(DATABASE_URL|TEST_ADMIN_DATABASE_URL|PORT|HOST|PUBLIC_URL|DEMO_DATA_DIR|TIKTOK_.*|HELPDESK_.*)$/;

export interface DemoProcess {
  readonly pid: number;
  /** `http://127.0.0.1:<PORT>` */
  readonly url: string;
  /** Its admin (HELPDESK_ADMIN_*); test scripts send it as HTTP Basic (see `saveCredentials`). */
  readonly admin: Credentials;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with its exit code (or signal) once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed, its PostgreSQL is orphaned. */
  kill9(): Promise<void>;
  /** SIGINT, as Ctrl-C, and waits for the ordered shutdown to finish. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface DemoProcessOptions {
  port: number;
  /** Environment of the demo (`npm start`'s variables), on top of a clean copy of this one. */
  env: Record<string, string>;
  /** How long to wait for "Helpdesk demo is running." Default 120 s (a loaded 2-core machine). */
  readyTimeoutMs?: number;
}

/**
 * Runs the demo helpdesk (`apps/helpdesk/src/main.ts`, through ts-node, no build needed) as a
 * child process, the way `npm start` runs it, and resolves once it is serving. The child refuses
 * connections to anything but loopback, like the tests themselves (test/support/no-internet.ts).
 */
export async function startDemoProcess(options: DemoProcessOptions): Promise<DemoProcess> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !INHERITED_BUT_NOT_WANTED.test(name)) env[name] = value;
  }
  const generated = generateAdmin();
  Object.assign(
    env,
    {
      PORT: String(options.port),
      NODE_ENV: 'test',
      HELPDESK_ADMIN_EMAIL: generated.email,
      HELPDESK_ADMIN_PASSWORD: generated.password,
    },
    options.env,
  );
  const admin = { email: env.HELPDESK_ADMIN_EMAIL, password: env.HELPDESK_ADMIN_PASSWORD };
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      './scripts/register-ts-paths.js',
      '-r',
      './test/support/no-internet.ts',
      'apps/helpdesk/src/main.ts',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid as number;

  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The demo did not start in time. Its output:\n${output}`));
    }, options.readyTimeoutMs ?? 120_000);
    const check = () => {
      if (output.includes(READY_LINE)) {
        clearTimeout(timeout);
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timeout);
      reject(
        new Error(
          `The demo exited while starting (code ${code}, signal ${signal}). Its output:\n${output}`,
        ),
      );
    });
  });

  const url = `http://127.0.0.1:${options.port}`;
  saveCredentials(url, admin);
  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  return {
    pid,
    url,
    admin,
    output: () => output,
    exited,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        return exited;
      })()),
  };
}
