import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  TIKTOK_HELPDESK_PORT,
  TiktokChannelModule,
  type TiktokChannelModuleOptions,
  type TiktokHelpdeskPort,
} from '../../libs/tiktok-channel/src';
import { generateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';
import { startSandbox, type RunningSandbox } from '../../apps/tiktok-sandbox/src';
import { freePort } from '../../apps/helpdesk/src/database/free-port';
import { sandboxTiktokConfig } from '../../apps/helpdesk/src/demo/sandbox-tiktok-config';
import { followRedirects } from '../support/e2e-harness';
import { libraryTestModule } from '../support/library-host';
import { SandboxControl } from '../support/sandbox-control';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** A service of the host's own, in a module of its own: what a real adapter writes through. */
@Injectable()
class InboxDirectory {
  readonly inboxes = new Map<string, string>();

  open(businessId: string): string {
    const id = `inbox-of-${businessId}`;
    this.inboxes.set(businessId, id);
    return id;
  }
}

@Module({ providers: [InboxDirectory], exports: [InboxDirectory] })
class DirectoryModule {}

/** The host's adapter: a plain provider that injects the host's service. */
@Injectable()
class DirectoryBackedPort implements TiktokHelpdeskPort {
  constructor(@Inject(InboxDirectory) private readonly directory: InboxDirectory) {}

  async upsertInbox(a: Parameters<TiktokHelpdeskPort['upsertInbox']>[0]) {
    return { inboxId: a.inboxId ?? this.directory.open(a.account.businessId) };
  }
  async upsertContact() {
    return { contactId: 'contact-1' };
  }
  async openConversation() {
    return { conversationId: 'conversation-1', isNew: true };
  }
  async appendMessage() {
    return { messageId: 'message-1', created: true };
  }
  async updateMessageStatus() {}
  async onAccountStatus() {}
}

describe('A host adapter', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let options: TiktokChannelModuleOptions;
  let url: string;
  let httpPort: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    const secrets = generateDemoSecrets();
    sandbox = await startSandbox({ port: 0, appId: secrets.appId, appSecret: secrets.appSecret });
    httpPort = await freePort();
    url = `http://127.0.0.1:${httpPort}`;
    options = {
      ...sandboxTiktokConfig(sandbox, secrets, url),
      resolveConnectContext: () => ({ tenant: 't1', returnUrl: '/done' }),
      enableBackgroundJobs: false,
    };
  });

  afterAll(async () => {
    await sandbox?.close();
    await database?.drop();
  });

  async function connectThrough(channel: ReturnType<typeof TiktokChannelModule.forRoot>) {
    const app = await NestFactory.create(
      libraryTestModule({ databaseUrl: database.url, channel }),
      { rawBody: true, logger: false },
    );
    await app.listen(httpPort, '127.0.0.1');
    try {
      const username = `shop${Math.floor(Math.random() * 1e9)}`;
      await new SandboxControl(sandbox.url).queueConsent(username, 'business', 'approve');
      const hops = await followRedirects(`${url}/tiktok/oauth/authorize`);
      return { app, hops, directory: app.get(InboxDirectory, { strict: false }) };
    } catch (error) {
      await app.close();
      throw error;
    }
  }

  it.each([
    [
      'forRoot',
      () =>
        TiktokChannelModule.forRoot({
          ...options,
          helpdeskPort: DirectoryBackedPort,
          imports: [DirectoryModule],
        }),
    ],
    [
      'forRootAsync',
      () =>
        TiktokChannelModule.forRootAsync({
          imports: [DirectoryModule],
          useFactory: () => options,
          helpdeskPort: DirectoryBackedPort,
        }),
    ],
  ])('injects a host service through imports (%s)', async (_mode, channel) => {
    const { app, hops, directory } = await connectThrough(channel());
    try {
      expect(hops[hops.length - 1]).toContain('tiktok_status=connected');
      expect([...directory.inboxes.values()]).toEqual([expect.stringMatching(/^inbox-of-biz_/)]);
      // The port token is exported: the host can inject the adapter the channel uses.
      expect(app.get(TIKTOK_HELPDESK_PORT)).toBeInstanceOf(DirectoryBackedPort);
    } finally {
      await app.close();
    }
  });

  it('can be a provider the host already has, given by its token', async () => {
    @Module({
      providers: [InboxDirectory, DirectoryBackedPort],
      exports: [InboxDirectory, DirectoryBackedPort],
    })
    class HostTiktokModule {}

    const { app, directory } = await connectThrough(
      TiktokChannelModule.forRoot({
        ...options,
        helpdeskPort: { useExisting: DirectoryBackedPort },
        imports: [HostTiktokModule],
      }),
    );
    try {
      expect(directory.inboxes.size).toBe(1);
      expect(app.get(TIKTOK_HELPDESK_PORT)).toBe(app.get(DirectoryBackedPort, { strict: false }));
    } finally {
      await app.close();
    }
  });
});
