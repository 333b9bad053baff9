import { Module, type DynamicModule } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  runMigrationsExclusively,
  TiktokChannelModule,
  tiktokChannelEntities,
  tiktokChannelMigrations,
} from 'tiktok-channel';
import { defaultAttachmentsDirectory } from './attachments/attachments.constants';
import { HelpdeskAttachmentsModule } from './attachments/helpdesk-attachments.module';
import { helpdeskEntities, helpdeskMigrations } from './database/helpdesk-database';
import type { HelpdeskConfig } from './helpdesk-config';
import { HelpdeskCoreModule } from './helpdesk-core.module';
import { Authenticator } from './auth/authenticator.service';
import { HelpdeskAuthModule } from './auth/helpdesk-auth.module';
import { HelpdeskTiktokModule } from './helpdesk-tiktok.module';
import { HelpdeskOperationsModule } from './operations/helpdesk-operations.module';
import { connectContextResolver } from './tiktok/connect-context';
import { HelpdeskTiktokAdapter } from './tiktok/helpdesk-tiktok.adapter';

/** The whole application: database, events, the TikTok channel and the helpdesk on top. */
@Module({})
export class HelpdeskModule {
  static forRoot(config: HelpdeskConfig): DynamicModule {
    return {
      module: HelpdeskModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres' as const,
            url: config.databaseUrl,
            entities: [...helpdeskEntities, ...tiktokChannelEntities],
            migrations: [...helpdeskMigrations, ...tiktokChannelMigrations],
            synchronize: false,
            // Fail fast with the real error instead of retrying for half a minute at start-up.
            retryAttempts: 2,
            retryDelay: 1000,
          }),
          // Migrations run behind an advisory lock, not through `migrationsRun`: several demo
          // processes may start together on a fresh database.
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            try {
              await runMigrationsExclusively(dataSource);
            } catch (error) {
              await dataSource.destroy();
              throw error;
            }
            return dataSource;
          },
        }),
        EventEmitterModule.forRoot(),
        // Before the channel: its port adapter stores inbound attachments through this module.
        HelpdeskAttachmentsModule.forRoot({
          directory: config.attachmentsDirectory ?? defaultAttachmentsDirectory(),
        }),
        // The channel's token refresh and inbound sweeps run on the host's scheduler.
        ScheduleModule.forRoot(),
        HelpdeskAuthModule.forRoot({ admin: config.admin, publicUrl: config.publicUrl }),
        TiktokChannelModule.forRootAsync({
          // The authorize route's guard asks the helpdesk's sign-in who is connecting.
          inject: [Authenticator],
          useFactory: (authenticator: Authenticator) => ({
            appId: config.tiktok.appId,
            appSecret: config.tiktok.appSecret,
            apiBaseUrl: config.tiktok.apiBaseUrl,
            authorizeUrl: config.tiktok.authorizeUrl,
            redirectUri: config.tiktok.redirectUri,
            tokenEncryptionKeys: config.tiktok.tokenEncryptionKeys,
            webhookCallbackUrl: config.tiktok.webhookCallbackUrl,
            enableBackgroundJobs: config.backgroundJobs ?? false,
            tokenRefreshIntervalSeconds: config.tiktok.tokenRefreshIntervalSeconds,
            inboundSweepIntervalSeconds: config.tiktok.inboundSweepIntervalSeconds,
            // Deliveries skip Express and Nest's pipeline: the demo has no middleware on that route.
            webhookFastPath: true,
            resolveConnectContext: connectContextResolver(authenticator),
          }),
          helpdeskPort: HelpdeskTiktokAdapter,
        }),
        HelpdeskCoreModule,
        HelpdeskOperationsModule,
        HelpdeskTiktokModule,
      ],
    };
  }
}
