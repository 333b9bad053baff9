import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import {
  TiktokChannelModule,
  tiktokChannelEntities,
  tiktokChannelMigrations,
  TiktokWebhookRegistrar,
  type EchoMessage,
  type InboundMessage,
  type TiktokChannelModuleOptions,
} from '../../libs/tiktok-channel/src';
import { InboundProcessor, signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { sandboxTiktokConfig } from '../../apps/helpdesk/src/demo/sandbox-tiktok-config';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import { RecordingPort } from './recording-port';
import { eventually } from './e2e-harness';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface LibraryHost {
  app: INestApplication;
  port: RecordingPort;
  sandbox: RunningSandbox;
  db: Client;
  /** The suite's own database. */
  databaseUrl: string;
  /** The channel's options, as the host gave them. */
  options: TiktokChannelModuleOptions;
  url: string;
  appSecret: string;
  /** Processes until the host has the TikTok message (the sandbox delivers webhooks asynchronously). */
  received(tiktokMessageId: string): Promise<InboundMessage | EchoMessage>;
  /** POSTs a signed webhook (signed now unless told otherwise) and returns the HTTP status. */
  deliver(envelope: object, options?: { timestamp?: number }): Promise<number>;
  close(): Promise<void>;
}

export interface LibraryHostOptions {
  /** Option overrides for the channel (background jobs stay off unless set here). */
  options?: Partial<TiktokChannelModuleOptions>;
  /** Import `ScheduleModule.forRoot()` as a host does for the sweeps. Default: when jobs are on. */
  schedule?: boolean;
  /** Connections of the DataSource's pool (TypeORM `poolSize`). Default: pg's 10. */
  poolSize?: number;
  /** The host port class: `RecordingPort` (default) or a subclass of it. */
  helpdeskPort?: Type<RecordingPort>;
}

/**
 * The library alone in a bare Nest app (`forRoot` or `forRootAsync`), with a recording host
 * port, its own database and its own sandbox. Background jobs stay off so tests decide when
 * events are processed.
 */
export async function startLibraryHost(
  mode: 'forRoot' | 'forRootAsync' = 'forRoot',
  hostOptions: LibraryHostOptions = {},
): Promise<LibraryHost> {
  const database: TestDatabase = await createTestDatabase();
  const secrets = generateDemoSecrets();
  const { appSecret } = secrets;
  const sandbox = await startSandbox({ port: 0, appId: secrets.appId, appSecret });
  const httpPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}`;
  const options: TiktokChannelModuleOptions = {
    ...sandboxTiktokConfig(sandbox, secrets, url),
    webhookCallbackUrl: `${url}/tiktok/webhook`,
    resolveConnectContext: () => ({ tenant: 't1', returnUrl: '/done' }),
    enableBackgroundJobs: false,
    ...hostOptions.options,
  };
  const helpdeskPort = hostOptions.helpdeskPort ?? RecordingPort;
  const LibraryTestModule = libraryTestModule({
    databaseUrl: database.url,
    channel:
      mode === 'forRoot'
        ? TiktokChannelModule.forRoot({ ...options, helpdeskPort })
        : TiktokChannelModule.forRootAsync({ useFactory: async () => options, helpdeskPort }),
    schedule: hostOptions.schedule ?? options.enableBackgroundJobs === true,
    poolSize: hostOptions.poolSize,
  });

  const app = await NestFactory.create(LibraryTestModule, { rawBody: true, logger: false });
  await app.listen(httpPort, '127.0.0.1');
  await app.get(TiktokWebhookRegistrar).register(`${url}/tiktok/webhook`);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const port = RecordingPort.instances[RecordingPort.instances.length - 1];

  return {
    app,
    port,
    sandbox,
    db,
    databaseUrl: database.url,
    options,
    url,
    appSecret,
    received: (tiktokMessageId) =>
      eventually(async () => {
        await app.get(InboundProcessor).settle();
        return port.messages.get(tiktokMessageId)?.message;
      }, `message ${tiktokMessageId} to reach the host`),
    deliver: async (envelope, deliverOptions = {}) => {
      const body = Buffer.from(JSON.stringify(envelope));
      const timestamp = deliverOptions.timestamp ?? Math.floor(Date.now() / 1000);
      const response = await fetch(`${url}/tiktok/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'tiktok-signature': signTiktokPayload(appSecret, timestamp, body),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    close: async () => {
      await db.end();
      await app.close();
      await sandbox.close();
      await database.drop();
    },
  };
}

/** The root module of a bare Nest host of the library: TypeORM, events, optionally the scheduler. */
export function libraryTestModule(parts: {
  databaseUrl: string;
  channel: DynamicModule;
  schedule?: boolean;
  imports?: Array<Type<unknown> | DynamicModule>;
  poolSize?: number;
}): Type<unknown> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: parts.databaseUrl,
        entities: tiktokChannelEntities,
        migrations: tiktokChannelMigrations,
        migrationsRun: true,
        ...(parts.poolSize ? { poolSize: parts.poolSize } : {}),
      }),
      EventEmitterModule.forRoot(),
      ...(parts.schedule ? [ScheduleModule.forRoot()] : []),
      ...(parts.imports ?? []),
      parts.channel,
    ],
  })
  class LibraryTestModule {}
  return LibraryTestModule;
}

/** A webhook envelope the way TikTok builds it: `content` is a JSON string. */
export function webhookEnvelope(
  event: string,
  businessId: string,
  content: Record<string, unknown>,
) {
  return {
    client_key: 'app',
    event,
    create_time: Math.floor(Date.now() / 1000),
    user_openid: businessId,
    content: JSON.stringify(content),
  };
}

/**
 * A customer's text in `conversationId`, as TikTok delivers it; its body is "text of <messageId>".
 * `extra` adds or overrides content fields (a `reply_to`, say).
 */
export function customerTextEnvelope(
  businessId: string,
  conversationId: string,
  messageId: string,
  at: number,
  extra: object = {},
) {
  return webhookEnvelope('im_receive_msg', businessId, {
    conversation_id: conversationId,
    message_id: messageId,
    timestamp: at,
    type: 'text',
    text: { body: `text of ${messageId}` },
    from: 'customer',
    to: 'shop',
    from_user: { id: `user_${conversationId}`, role: 'personal_account' },
    to_user: { id: businessId, role: 'business_account' },
    ...extra,
  });
}
