import 'reflect-metadata';
import { TiktokWebhookRegistrar } from 'tiktok-channel';
import { DemoConfigError, demoEnvironment } from '../demo/demo-environment';
import { findRepoRoot } from '../demo/repo-root';
import { openCliContext } from './cli-context';

const USAGE = `npm run webhook -- register|check

  check     show where TikTok delivers the app's webhooks; exit code 1 unless it is
            TIKTOK_WEBHOOK_CALLBACK_URL (default $PUBLIC_URL/tiktok/webhook)
  register  register that URL with TikTok (nothing changes when it already is)

Uses the demo's configuration (the environment and .data/demo-secrets.json). With the local
sandbox, the demo must be running: the sandbox runs inside it.`;

/** `npm run webhook`: registering the webhook is a deploy step, not something every boot does. */
async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!['register', 'check'].includes(command ?? '') || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const root = findRepoRoot(__dirname);
  const environment = demoEnvironment(process.env, root, 'read');
  // Registration needs TikTok only: no database.
  const cli = await openCliContext(undefined, environment.tiktok);
  try {
    const registrar = cli.app.get(TiktokWebhookRegistrar);
    if (command === 'register') {
      const result = await registrar.ensureRegistered();
      console.log(
        result.changed
          ? `Registered ${result.registered} with TikTok (before: ${result.previous ?? 'none'}).`
          : `Already registered: TikTok delivers webhooks to ${result.registered}.`,
      );
      return result.ok ? 0 : 1;
    }
    const status = await registrar.check();
    console.log(
      status.ok
        ? `OK: TikTok delivers webhooks to ${status.registered}.`
        : status.registered
          ? `Wrong URL: TikTok delivers webhooks to ${status.registered}, not to ${status.expected}. Run: npm run webhook -- register`
          : `Not registered: TikTok sends no webhooks. Run: npm run webhook -- register`,
    );
    return status.ok ? 0 : 1;
  } finally {
    await cli.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof DemoConfigError
        ? `Cannot reach the demo's TikTok: ${error.message}`
        : `The webhook command failed: ${(error as Error).message}`,
    );
    process.exit(1);
  },
);
