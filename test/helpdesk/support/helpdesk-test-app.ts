import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TiktokAccountsService, TiktokMessenger } from 'tiktok-channel';
import { DataSource } from 'typeorm';
import {
  helpdeskEntities,
  helpdeskMigrations,
} from '../../../apps/helpdesk/src/database/helpdesk-database';
import { HelpdeskAttachmentsModule } from '../../../apps/helpdesk/src/attachments/helpdesk-attachments.module';
import { InboundAttachmentStore } from '../../../apps/helpdesk/src/attachments/inbound-attachment.store';
import { HelpdeskAuthModule } from '../../../apps/helpdesk/src/auth/helpdesk-auth.module';
import type { HelpdeskAuthConfig } from '../../../apps/helpdesk/src/auth/helpdesk-auth.config';
import { HelpdeskCoreModule } from '../../../apps/helpdesk/src/helpdesk-core.module';
import { HelpdeskTiktokAdapter } from '../../../apps/helpdesk/src/tiktok/helpdesk-tiktok.adapter';
import { basicAuthorization, generateAdmin, type Credentials } from '../../support/e2e-harness';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { FakeAccounts, FakeMessenger, FakeTiktokModule } from './fake-tiktok.module';

export interface HelpdeskTestApp {
  app: INestApplication;
  baseUrl: string;
  dataSource: DataSource;
  /** The port adapter, to seed data the way the library would. */
  port: HelpdeskTiktokAdapter;
  /** Where the app keeps inbound attachments (a fresh temp directory). */
  attachmentsDirectory: string;
  messenger: FakeMessenger;
  accounts: FakeAccounts;
  admin: Credentials;
  /** Headers a script sends: HTTP Basic as the admin. */
  auth: { authorization: string };
  close(): Promise<void>;
}

/**
 * The helpdesk's own module on a real PostgreSQL, with the TikTok library's messenger and account
 * listing faked: these tests are about the host, the library has its own.
 */
export async function startHelpdeskTestApp(
  auth: Omit<HelpdeskAuthConfig, 'admin'> = {},
): Promise<HelpdeskTestApp> {
  const database: TestDatabase = await createTestDatabase();
  const attachmentsDirectory = await mkdtemp(join(tmpdir(), 'helpdesk-attachments-'));
  const admin = generateAdmin();
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: database.url,
        entities: helpdeskEntities,
        migrations: helpdeskMigrations,
        migrationsRun: true,
        retryAttempts: 0,
      }),
      EventEmitterModule.forRoot(),
      HelpdeskAttachmentsModule.forRoot({ directory: attachmentsDirectory }),
      FakeTiktokModule,
      HelpdeskAuthModule.forRoot({ ...auth, admin }),
      HelpdeskCoreModule,
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const dataSource = app.get(DataSource);
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    dataSource,
    port: new HelpdeskTiktokAdapter(dataSource, app.get(InboundAttachmentStore)),
    attachmentsDirectory,
    // The fakes stand under the library's class tokens.
    messenger: app.get(TiktokMessenger) as unknown as FakeMessenger,
    accounts: app.get(TiktokAccountsService) as unknown as FakeAccounts,
    admin,
    auth: { authorization: basicAuthorization(admin) },
    close: async () => {
      await app.close();
      await database.drop();
      await rm(attachmentsDirectory, { recursive: true, force: true });
    },
  };
}

/** Waits for something the app does after answering (event listeners run asynchronously). */
export async function eventually(
  check: () => Promise<void> | void,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
