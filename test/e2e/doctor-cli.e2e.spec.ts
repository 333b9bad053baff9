import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { createHelpdeskApp } from '../../apps/helpdesk/src/helpdesk-app';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import { generateAdmin } from '../support/e2e-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run <script> -- <args>` in a child process, with the demo's environment variables. */
function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The operator tools run as a person runs them, in their own processes, against the demo's
 * layout: its sandbox on TIKTOK_SANDBOX_PORT, its database, its secrets in the environment.
 */
describe('npm run doctor and npm run webhook', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase();
    const secrets = generateDemoSecrets();
    const sandboxPort = await freePort();
    sandbox = await startSandbox({
      port: sandboxPort,
      appId: secrets.appId,
      appSecret: secrets.appSecret,
    });
    const helpdeskPort = await freePort();
    env = {
      DATABASE_URL: database.url,
      PORT: String(helpdeskPort),
      PUBLIC_URL: `http://127.0.0.1:${helpdeskPort}`,
      TIKTOK_SANDBOX_PORT: String(sandboxPort),
      TIKTOK_APP_ID: secrets.appId,
      TIKTOK_APP_SECRET: secrets.appSecret,
      TIKTOK_TOKEN_ENCRYPTION_KEYS: secrets.tokenEncryptionKeys.join(','),
      TIKTOK_API_BASE_URL: '',
      TIKTOK_WEBHOOK_CALLBACK_URL: '',
      TIKTOK_REDIRECT_URI: '',
    };
    // The demo has run once: its migrations are in place.
    const app = await createHelpdeskApp({
      databaseUrl: database.url,
      publicUrl: env.PUBLIC_URL as string,
      admin: generateAdmin(),
      tiktok: {
        appId: secrets.appId,
        appSecret: secrets.appSecret,
        apiBaseUrl: sandbox.apiBaseUrl,
        authorizeUrl: sandbox.authorizeUrl,
        redirectUri: `${env.PUBLIC_URL}/tiktok/oauth/callback`,
        tokenEncryptionKeys: secrets.tokenEncryptionKeys,
      },
      logger: false,
    });
    await app.close();
  });

  afterAll(async () => {
    await sandbox?.close();
    await database?.drop();
  });

  it('doctor exits 1 while the webhook is unregistered, and 0 after npm run webhook -- register', async () => {
    const before = await npmRun('doctor', [], env);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/✖ FAIL {2}Webhook registration +No webhook is registered/);
    expect(before.stdout).toContain('fix: Register it');
    expect(before.stdout).not.toContain(env.TIKTOK_APP_SECRET);

    const check = await npmRun('webhook', ['check'], env);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('Not registered');

    const register = await npmRun('webhook', ['register'], env);
    expect(register.code).toBe(0);
    expect(register.stdout).toContain(`Registered ${env.PUBLIC_URL}/tiktok/webhook with TikTok`);

    const after = await npmRun('doctor', [], env);
    expect(after.stdout).toContain('Every check passes.');
    expect(after.code).toBe(0);
  });

  it('doctor --json prints the report for scripts', async () => {
    const run = await npmRun('doctor', ['--json'], env);
    const report = JSON.parse(run.stdout) as { verdict: string; checks: Array<{ id: string }> };
    expect(report.checks.map((c) => c.id)).toContain('webhook_registration');
    expect(run.code).toBe(report.verdict === 'fail' ? 1 : 0);
  });

  it('doctor says to start the demo when its sandbox is not running, and exits 1', async () => {
    const run = await npmRun('doctor', [], {
      ...env,
      TIKTOK_SANDBOX_PORT: String(await freePort()),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/App credentials +TikTok could not be asked/);
    expect(run.stdout).toContain('Start the demo (npm start)');
    expect(run.stdout).toMatch(/✔ ok {4}Database/);
  });
});
