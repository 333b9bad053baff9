import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { HelpdeskConfig } from './helpdesk-config';
import { HelpdeskModule } from './helpdesk.module';

export type { HelpdeskConfig } from './helpdesk-config';

/**
 * Builds the helpdesk, runs the migrations and initialises it, without listening: the caller
 * picks the port (`app.listen`), or drives it in tests with `app.getHttpServer()`.
 */
export async function createHelpdeskApp(config: HelpdeskConfig): Promise<INestApplication> {
  const app = await NestFactory.create(HelpdeskModule.forRoot(config), {
    // The TikTok webhook signature is computed over the exact bytes TikTok sent.
    rawBody: true,
    // An instance, not a list of levels: Nest's logger is process-wide, and an app created earlier in
    // the process with `logger: false` (the embedded TikTok sandbox) would otherwise keep it silent.
    logger:
      config.logger === false
        ? false
        : new ConsoleLogger({ logLevels: config.logger ?? ['error', 'warn', 'log'] }),
    // Throw a start-up error (database unreachable, bad TikTok settings) to the caller instead of
    // aborting the process, so the demo can explain it and tests can assert it.
    abortOnError: false,
    // close() must not wait for a browser's idle keep-alive connections.
    forceCloseConnections: true,
  });
  if (config.shutdownHooks ?? true) app.enableShutdownHooks();
  await app.init();
  return app;
}
