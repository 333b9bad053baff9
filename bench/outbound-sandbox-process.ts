import { startSandbox } from '../apps/tiktok-sandbox/src';

/**
 * The TikTok sandbox in a process of its own for the outbound bench, so TikTok's side does not
 * share an event loop with the library being measured. Started with fork() (IPC): it answers
 * `{ type: 'ready', url }` and stops when the parent disconnects.
 */
async function main(): Promise<void> {
  const appId = process.env.BENCH_APP_ID;
  const appSecret = process.env.BENCH_APP_SECRET;
  if (!appId || !appSecret) throw new Error('BENCH_APP_ID and BENCH_APP_SECRET are required');
  // Longer than the library's idle sockets live, so the sandbox never closes one under a send.
  const sandbox = await startSandbox({ port: 0, appId, appSecret, keepAliveTimeoutMs: 65_000 });
  process.send?.({
    type: 'ready',
    url: sandbox.url,
    apiBaseUrl: sandbox.apiBaseUrl,
    authorizeUrl: sandbox.authorizeUrl,
  });
  process.once('disconnect', () => {
    void sandbox.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error('bench sandbox failed:', error);
  process.exit(1);
});
