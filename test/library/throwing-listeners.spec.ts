import { Injectable, Module } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import {
  TIKTOK_HELPDESK_PORT,
  TiktokChannelModule,
  TiktokEvents,
  type MessageReceivedEvent,
  type TiktokChannelModuleOptions,
} from '../../libs/tiktok-channel/src';
import { settleTiktokChannel, signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { libraryTestModule, webhookEnvelope } from '../support/library-host';
import { RecordingPort } from '../support/recording-port';
import { seedAccount } from '../support/seed-account';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { Client } from 'pg';

/** Every listener style the README mentions, each one failing. */
@Injectable()
class FailingAutomation {
  readonly called: string[] = [];

  @OnEvent(TiktokEvents.MessageReceived)
  defaultsThrowing(): void {
    this.called.push('default');
    throw new Error('default listener failed');
  }

  @OnEvent(TiktokEvents.MessageReceived, { suppressErrors: false })
  async rejecting(): Promise<void> {
    this.called.push('suppressErrors: false');
    throw new Error('rejecting listener failed');
  }

  @OnEvent(TiktokEvents.MessageReceived, { async: true, suppressErrors: false })
  async asyncRejecting(event: MessageReceivedEvent): Promise<void> {
    this.called.push(`async: true, suppressErrors: false (${event.content})`);
    throw new Error('async listener failed');
  }

  @OnEvent(TiktokEvents.MessageReceived, { async: true, promisify: true, suppressErrors: false })
  async promisifiedRejecting(): Promise<void> {
    this.called.push('async + promisify');
    throw new Error('promisified listener failed');
  }
}

@Module({ providers: [FailingAutomation] })
class AutomationModule {}

describe('A listener that throws', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', recordUnhandled);
    database = await createTestDatabase();
    const secrets = generateDemoSecrets();
    const httpPort = await freePort();
    const options: TiktokChannelModuleOptions = {
      appId: secrets.appId,
      appSecret: secrets.appSecret,
      apiBaseUrl: 'http://127.0.0.1:9/open_api/v1.3/',
      redirectUri: 'http://127.0.0.1:9/tiktok/oauth/callback',
      tokenEncryptionKeys: secrets.tokenEncryptionKeys,
      resolveConnectContext: () => ({ tenant: 't1', returnUrl: '/' }),
      enableBackgroundJobs: false,
    };
    app = await NestFactory.create(
      libraryTestModule({
        databaseUrl: database.url,
        channel: TiktokChannelModule.forRoot({ ...options, helpdeskPort: RecordingPort }),
        imports: [AutomationModule],
      }),
      { rawBody: true, logger: false },
    );
    await app.listen(httpPort, '127.0.0.1');
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await seedAccount(sql, { businessId: 'biz_1', inboxId: 'inbox-1' });

    const body = Buffer.from(
      JSON.stringify(
        webhookEnvelope('im_receive_msg', 'biz_1', {
          conversation_id: 'conv_1',
          message_id: 'msg_1',
          timestamp: Date.now(),
          type: 'text',
          text: { body: 'hello' },
          from_user: { id: 'user_1' },
          to_user: { id: 'biz_1' },
        }),
      ),
    );
    const response = await fetch(`http://127.0.0.1:${httpPort}/tiktok/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'tiktok-signature': signTiktokPayload(
          secrets.appSecret,
          Math.floor(Date.now() / 1000),
          body,
        ),
      },
      body,
    });
    expect(response.status).toBe(200);
    await settleTiktokChannel(app);
    // Anything EventEmitter2 deferred to a setImmediate of its own has run by the next one.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  });

  afterAll(async () => {
    process.off('unhandledRejection', recordUnhandled);
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  it('is called, in every style the README mentions', () => {
    expect(app.get(FailingAutomation).called.sort()).toEqual(
      [
        'async + promisify',
        'async: true, suppressErrors: false (hello)',
        'default',
        'suppressErrors: false',
      ].sort(),
    );
  });

  it('leaves the event processed and the message with the host', async () => {
    const { rows } = await sql.query(`SELECT status FROM tiktok_webhook_events`);
    expect(rows).toEqual([{ status: 'processed' }]);
    expect((app.get(TIKTOK_HELPDESK_PORT) as RecordingPort).messages.get('msg_1')).toBeDefined();
  });

  it('never becomes an unhandled rejection', () => {
    expect(unhandled).toEqual([]);
  });
});
