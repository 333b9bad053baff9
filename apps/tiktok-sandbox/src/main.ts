import { randomBytes } from 'node:crypto';
import { startSandbox } from './index';

/** Standalone sandbox for the demo: `node dist/apps/tiktok-sandbox/src/main.js`. */
async function main(): Promise<void> {
  const port = Number(process.env.TIKTOK_SANDBOX_PORT ?? 4010);
  const appId = process.env.TIKTOK_APP_ID || `app_${randomBytes(6).toString('hex')}`;
  const appSecret = process.env.TIKTOK_APP_SECRET || randomBytes(24).toString('hex');

  const sandbox = await startSandbox({
    port,
    host: process.env.TIKTOK_SANDBOX_HOST,
    appId,
    appSecret,
    appName: process.env.TIKTOK_SANDBOX_APP_NAME,
    stateFile: process.env.TIKTOK_SANDBOX_STATE_FILE || undefined,
    log: (line) => console.log(line),
  });

  console.log(`TikTok sandbox ready at ${sandbox.url}`);
  console.log(`  API base:      ${sandbox.apiBaseUrl}`);
  console.log(`  Authorize URL: ${sandbox.authorizeUrl}`);
  if (!process.env.TIKTOK_APP_ID) console.log(`  TIKTOK_APP_ID=${appId} (generated)`);
  if (!process.env.TIKTOK_APP_SECRET) console.log(`  TIKTOK_APP_SECRET=${appSecret} (generated)`);

  const stop = (signal: string) => {
    console.log(`${signal}: closing the TikTok sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
