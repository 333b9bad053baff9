import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { businessApiGate, malformedBodyAnswer, tiktokClockHeader } from './business-api-gate';
import { saveAfterChanges } from './save-after-changes';
import { FaultBook } from './faults';
import { InboundState } from './inbound-state';
import { LineLogger } from './line-logger';
import { OutboundState } from './outbound-state';
import { RateLimits } from './rate-limits';
import { RunningSandbox, SandboxOptions, resolveConfig } from './options';
import { MessagingController } from './messaging.controller';
import { SampleMedia } from './sample-media';
import { SendFastPath, installSendFastPath } from './send-fast-path';
import { SandboxPersistence } from './sandbox-persistence';
import { SandboxModule } from './sandbox.module';
import { SandboxState } from './sandbox-state';
import { Slowdowns } from './slowdowns';
import { SandboxStats } from './stats';
import { WebhookDelivery } from './webhook-delivery';

export type { MessagingCaps, RunningSandbox, SandboxOptions, WebhookRetryOptions } from './options';
export { SandboxStateFileError } from './sandbox-persistence';
export type { WireShape } from './wire-shape';

/** Starts a local stand-in for TikTok's OAuth, Business Messaging API and webhook delivery. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const config = resolveConfig(options);
  const state = new SandboxState();
  const stats = new SandboxStats();
  const faults = new FaultBook();
  const slowdowns = new Slowdowns();
  const delivery = new WebhookDelivery(state, stats, config);
  const outbound = new OutboundState(state);
  const rateLimits = new RateLimits(config.rateLimitPerSecond, state, stats);
  const inbound = new InboundState(state);
  const samples = await SampleMedia.load();
  const persistence = options.stateFile
    ? new SandboxPersistence(options.stateFile, config.appId, state, outbound, inbound, config.log)
    : undefined;
  // Before anything listens: a file that cannot be used stops the start (it is never overwritten).
  if (persistence?.load()) config.log(`sandbox state restored from ${options.stateFile}`);

  const app = await NestFactory.create<NestExpressApplication>(
    SandboxModule.register({
      config,
      state,
      stats,
      faults,
      slowdowns,
      delivery,
      outbound,
      rateLimits,
      inbound,
      samples,
    }),
    new ExpressAdapter(),
    {
      logger: options.log ? new LineLogger(options.log) : false,
      // Throw on a bad start instead of exiting the host process (tests embed the sandbox).
      abortOnError: false,
      // close() must not wait for clients' idle keep-alive sockets.
      forceCloseConnections: true,
      // Parsers are added below, after the gate, so its 404s and faults answer before parsing.
      bodyParser: false,
    },
  );
  // TikTok's clock, which a test may set off from this machine's (POST /sandbox/clock).
  app.use(tiktokClockHeader(state));
  if (persistence) app.use(saveAfterChanges(persistence));
  app.use(businessApiGate(stats, faults, slowdowns));
  app.useBodyParser('json');
  app.useBodyParser('urlencoded', { extended: false });
  app.use(malformedBodyAnswer());

  const host = options.host ?? '127.0.0.1';
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // Node drops a connection whose next request's headers take longer than this; it must outlast
  // the idle time, or a long keep-alive would end in a dropped request instead of a closed socket.
  server.headersTimeout = Math.max(server.headersTimeout, config.keepAliveTimeoutMs + 1_000);
  // A state file is saved after each call by a framework middleware: keep those on that path.
  if (!persistence) {
    installSendFastPath(
      server,
      new SendFastPath(app.get(MessagingController), state, stats, faults, slowdowns),
    );
  }
  await app.listen(options.port ?? 0, host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.baseUrl = url;
  config.log(`TikTok sandbox listening on ${url} for app ${config.appId}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    apiBaseUrl: `${url}/open_api/v1.3/`,
    authorizeUrl: `${url}/v2/auth/authorize/`,
    close: () => {
      slowdowns.reset();
      closing ??= delivery
        .close()
        .then(() => app.close())
        .then(() => persistence?.close());
      return closing;
    },
  };
}
