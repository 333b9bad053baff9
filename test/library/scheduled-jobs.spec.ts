import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  TiktokChannelConfigError,
  TiktokChannelJobs,
  TiktokChannelModule,
  type TiktokChannelModuleOptions,
} from '../../libs/tiktok-channel/src';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { eventually } from '../support/e2e-harness';
import { libraryTestModule, startLibraryHost, webhookEnvelope } from '../support/library-host';
import { RecordingPort } from '../support/recording-port';
import { seedAccount } from '../support/seed-account';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

function channelOptions(): TiktokChannelModuleOptions {
  const secrets = generateDemoSecrets();
  return {
    appId: secrets.appId,
    appSecret: secrets.appSecret,
    apiBaseUrl: 'http://127.0.0.1:9/open_api/v1.3/',
    redirectUri: 'http://127.0.0.1:9/tiktok/oauth/callback',
    tokenEncryptionKeys: secrets.tokenEncryptionKeys,
    resolveConnectContext: () => ({ tenant: 't1', returnUrl: '/' }),
  };
}

describe('The channel sweeps on @nestjs/schedule', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('are listed in SchedulerRegistry under their documented names', async () => {
    const app = await NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: database.url,
        channel: TiktokChannelModule.forRoot({ ...channelOptions(), helpdeskPort: RecordingPort }),
        schedule: true,
      }),
      { logger: false },
    );
    try {
      expect(app.get(SchedulerRegistry).getIntervals().sort()).toEqual([
        'tiktok-channel:inbound-sweep',
        'tiktok-channel:outbound-sweep',
        'tiktok-channel:retention',
        'tiktok-channel:token-refresh',
      ]);
      expect(Object.values(TiktokChannelJobs).sort()).toEqual(
        app.get(SchedulerRegistry).getIntervals().sort(),
      );
    } finally {
      await app.close();
    }
  });

  it('stop the boot with a TiktokChannelConfigError when the host has no ScheduleModule', async () => {
    const boot = NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: database.url,
        channel: TiktokChannelModule.forRoot({ ...channelOptions(), helpdeskPort: RecordingPort }),
        schedule: false,
      }),
      { logger: false, abortOnError: false },
    );
    await expect(boot).rejects.toThrow(TiktokChannelConfigError);
    await expect(boot).rejects.toThrow(/import ScheduleModule\.forRoot\(\)/);
  });

  it('need no scheduler when background jobs are off, and register none', async () => {
    const app = await NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: database.url,
        channel: TiktokChannelModule.forRoot({
          ...channelOptions(),
          enableBackgroundJobs: false,
          helpdeskPort: RecordingPort,
        }),
        schedule: false,
      }),
      { logger: false },
    );
    await app.close();
  });

  it('cannot run twice in one app: a second channel module stops the boot', async () => {
    @Module({
      imports: [TiktokChannelModule.forRoot({ ...channelOptions(), helpdeskPort: RecordingPort })],
    })
    class SecondTenantModule {}

    const boot = NestFactory.createApplicationContext(
      libraryTestModule({
        databaseUrl: database.url,
        channel: TiktokChannelModule.forRoot({ ...channelOptions(), helpdeskPort: RecordingPort }),
        imports: [SecondTenantModule],
        schedule: true,
      }),
      { logger: false, abortOnError: false },
    );
    await expect(boot).rejects.toThrow(/TiktokChannelModule is registered twice/);
  });

  it('start no timer when the host fails to boot after the channel initialised', async () => {
    const seen: { registry?: SchedulerRegistry; dataSource?: DataSource } = {};
    // In the root module, so its init runs after the channel's (Nest initialises the deepest
    // modules first).
    @Injectable()
    class FailingHostService implements OnModuleInit {
      constructor(registry: SchedulerRegistry) {
        seen.registry = registry;
      }
      onModuleInit(): void {
        throw new Error('the host could not start');
      }
    }
    @Module({
      imports: [
        libraryTestModule({
          databaseUrl: database.url,
          channel: TiktokChannelModule.forRoot({
            ...channelOptions(),
            helpdeskPort: RecordingPort,
          }),
          schedule: true,
        }),
      ],
      providers: [
        FailingHostService,
        {
          provide: 'capture-data-source',
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => (seen.dataSource = dataSource),
        },
      ],
    })
    class FailingHostModule {}

    const boot = NestFactory.createApplicationContext(FailingHostModule, {
      logger: false,
      abortOnError: false,
    });
    await expect(boot).rejects.toThrow('the host could not start');
    try {
      expect(seen.registry?.getIntervals()).toEqual([]);
    } finally {
      await seen.dataSource?.destroy();
    }
  });
});

describe('The inbound sweep at its configured cadence', () => {
  it('processes an event that no kick reached', async () => {
    const host = await startLibraryHost('forRoot', {
      options: { enableBackgroundJobs: true, inboundSweepIntervalSeconds: 1 },
    });
    try {
      // Stored straight into the table, as a process that crashed after its 200 would leave it.
      await seedAccount(host.db, { businessId: 'biz_swept', inboxId: 'inbox-1' });
      const content = {
        conversation_id: 'conv_swept',
        message_id: 'msg_swept',
        timestamp: Date.now(),
        type: 'text',
        text: { body: 'left behind' },
        from_user: { id: 'user_1' },
        to_user: { id: 'biz_swept' },
      };
      const envelope = webhookEnvelope('im_receive_msg', 'biz_swept', content);
      await host.db.query(
        `INSERT INTO tiktok_webhook_events (dedupe_key, event, business_id, tiktok_conversation_id,
           event_timestamp, raw_body, content)
         VALUES ('im_receive_msg:biz_swept:msg_swept', 'im_receive_msg', 'biz_swept', 'conv_swept', $1, $2, $3)`,
        [content.timestamp, Buffer.from(JSON.stringify(envelope)), JSON.stringify(content)],
      );

      const message = await eventually(
        async () => host.port.messages.get('msg_swept')?.message,
        'the sweep to hand the message to the host',
      );
      expect(message).toMatchObject({ content: 'left behind', direction: 'incoming' });
    } finally {
      await host.close();
    }
  });
});
