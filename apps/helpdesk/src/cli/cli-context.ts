import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TiktokChannelModule, tiktokChannelEntities } from 'tiktok-channel';
import { DataSource } from 'typeorm';
import { defaultAttachmentsDirectory } from '../attachments/attachments.constants';
import { HelpdeskAttachmentsModule } from '../attachments/helpdesk-attachments.module';
import { helpdeskEntities } from '../database/helpdesk-database';
import type { HelpdeskConfig } from '../helpdesk-config';
import { refuseConnect } from '../tiktok/connect-context';
import { HelpdeskTiktokAdapter } from '../tiktok/helpdesk-tiktok.adapter';

export interface CliContext {
  app: INestApplicationContext;
  /** Why the database is not connected, when it is not. */
  databaseProblem?: string;
  close(): Promise<void>;
}

/**
 * The TikTok channel as the demo configures it, without HTTP, background jobs or migrations: what
 * the operator tools run on. The database is connected by hand, so a database that is down (or
 * missing) is a finding for the doctor rather than a failed start.
 */
export async function openCliContext(
  databaseUrl: string | undefined,
  tiktok: HelpdeskConfig['tiktok'],
): Promise<CliContext> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        // A URL that cannot connect, never used: the module needs one to build the data source.
        url: databaseUrl ?? 'postgres://127.0.0.1:1/none',
        entities: [...helpdeskEntities, ...tiktokChannelEntities],
        manualInitialization: true,
        connectTimeoutMS: 5000,
      }),
      EventEmitterModule.forRoot(),
      // The port adapter stores inbound media through it; the tools themselves store none.
      HelpdeskAttachmentsModule.forRoot({
        directory: defaultAttachmentsDirectory(),
        routes: false,
      }),
      TiktokChannelModule.forRoot({
        ...tiktok,
        enableBackgroundJobs: false,
        resolveConnectContext: refuseConnect,
        helpdeskPort: HelpdeskTiktokAdapter,
      }),
    ],
  })
  class CliModule {}

  const app = await NestFactory.createApplicationContext(CliModule, {
    logger: false,
    abortOnError: false,
  });
  const dataSource = app.get(DataSource);
  let databaseProblem: string | undefined = databaseUrl ? undefined : 'no database to connect to';
  if (databaseUrl) {
    try {
      await dataSource.initialize();
    } catch (error) {
      databaseProblem = (error as Error).message;
    }
  }
  return {
    app,
    databaseProblem,
    close: async () => {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
