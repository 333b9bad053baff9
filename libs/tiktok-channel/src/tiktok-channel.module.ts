import { Module, type Provider } from '@nestjs/common';
import { TiktokAccountsService } from './accounts/tiktok-accounts.service';
import { TiktokDiagnostics } from './diagnostics/tiktok-diagnostics.service';
import { TiktokHealthIndicator } from './diagnostics/tiktok-health.indicator';
import { TiktokApiClient } from './api/tiktok-api.client';
import { TIKTOK_HELPDESK_PORT } from './host/helpdesk-port';
import { TiktokEventPublisher } from './host/tiktok-event-publisher';
import { ConversationLink } from './inbound/conversation-link';
import { HostLinkCache } from './inbound/host-link-cache';
import { EeaFetch } from './inbound/eea-fetch';
import { InboundHandlers } from './inbound/inbound-handlers';
import { InboundMedia } from './inbound/inbound-media';
import { InboundParking } from './inbound/inbound-parking';
import { InboundReactions } from './inbound/inbound-reactions';
import { InboundReceipts } from './inbound/inbound-receipts';
import { InboundReferrals } from './inbound/inbound-referrals';
import { InboundProcessor } from './inbound/inbound-processor.service';
import { InboundSweeperCron } from './inbound/inbound-sweeper.cron';
import { TiktokJobScheduler } from './jobs/tiktok-job-scheduler';
import { TiktokOauthController } from './oauth/oauth.controller';
import { OauthStateService } from './oauth/oauth-state.service';
import { TiktokConnectService } from './oauth/tiktok-connect.service';
import { ImageCapability } from './outbound/image-capability';
import { OutboundReporter } from './outbound/outbound-reporter';
import { OutboundStore } from './outbound/outbound-store';
import { OutboundSweeperCron } from './outbound/outbound-sweeper.cron';
import { OutboundWorker } from './outbound/outbound-worker.service';
import { SendRecorder } from './outbound/send-recorder';
import { OutcomeHub } from './outbound/outcome-hub';
import { PartSender } from './outbound/part-sender';
import { TiktokRateLimiter } from './outbound/rate-limiter';
import { SendReconciler } from './outbound/send-reconciler';
import { TiktokMessenger } from './outbound/tiktok-messenger.service';
import { RetentionCron } from './retention/retention.cron';
import { TiktokRetentionService } from './retention/tiktok-retention.service';
import { TIKTOK_API_CLIENT, TIKTOK_TOKEN_CIPHER } from './tiktok-channel.constants';
import {
  resolveTiktokChannelConfig,
  TIKTOK_CHANNEL_CONFIG,
  TiktokChannelConfigError,
  type TiktokChannelConfig,
} from './tiktok-channel.config';
import {
  TIKTOK_CHANNEL_ASYNC_OPTIONS_TYPE,
  TIKTOK_CHANNEL_OPTIONS_TYPE,
  TIKTOK_CHANNEL_RAW_OPTIONS,
  TiktokChannelConfigurableModule,
  type TiktokHelpdeskPortProvider,
} from './tiktok-channel.module-definition';
import type { TiktokChannelModuleOptions } from './tiktok-channel.options';
import { TokenCipher } from './tokens/token-cipher';
import { TokenRefreshCron } from './tokens/token-refresh.cron';
import { TiktokTokenService } from './tokens/tiktok-token.service';
import { TiktokWebhookController } from './webhook/webhook.controller';
import { WebhookEventStore } from './webhook/webhook-event.store';
import { IntakePool } from './webhook/intake-pool';
import { WebhookIntake } from './webhook/webhook-intake.service';
import { WebhookBodyParserBridge } from './webhook/webhook-body-parser.bridge';
import { WebhookFastPath } from './webhook/webhook-fast-path';
import { TiktokWebhookRegistrar } from './webhook/tiktok-webhook.registrar';
import type { DynamicModule } from '@nestjs/common';

/**
 * The TikTok Business Messaging channel. The host registers `tiktokChannelEntities` and
 * `tiktokChannelMigrations` with its TypeORM data source, creates the app with `{ rawBody: true }`,
 * imports `ScheduleModule.forRoot()` for the sweeps, and passes its implementation of the port as
 * `helpdeskPort` (with the modules it needs in `imports`).
 */
@Module({
  controllers: [TiktokOauthController, TiktokWebhookController],
  providers: [
    {
      provide: TIKTOK_CHANNEL_CONFIG,
      inject: [TIKTOK_CHANNEL_RAW_OPTIONS],
      useFactory: (options: TiktokChannelModuleOptions) => resolveTiktokChannelConfig(options),
    },
    {
      provide: TIKTOK_TOKEN_CIPHER,
      inject: [TIKTOK_CHANNEL_CONFIG],
      useFactory: (config: TiktokChannelConfig) => new TokenCipher(config.tokenEncryptionKeys),
    },
    {
      provide: TIKTOK_API_CLIENT,
      inject: [TIKTOK_CHANNEL_CONFIG],
      useFactory: (config: TiktokChannelConfig) =>
        new TiktokApiClient({
          apiBaseUrl: config.apiBaseUrl,
          appId: config.appId,
          appSecret: config.appSecret,
          timeoutMs: config.requestTimeoutMs,
          http: config.httpClient,
        }),
    },
    TiktokEventPublisher,
    TiktokAccountsService,
    TiktokTokenService,
    TiktokJobScheduler,
    TokenRefreshCron,
    OauthStateService,
    TiktokConnectService,
    IntakePool,
    WebhookEventStore,
    WebhookIntake,
    WebhookBodyParserBridge,
    WebhookFastPath,
    ConversationLink,
    HostLinkCache,
    InboundMedia,
    InboundReactions,
    InboundReceipts,
    InboundReferrals,
    EeaFetch,
    InboundParking,
    InboundHandlers,
    InboundProcessor,
    InboundSweeperCron,
    TiktokMessenger,
    OutboundStore,
    OutcomeHub,
    TiktokRateLimiter,
    ImageCapability,
    PartSender,
    SendReconciler,
    OutboundReporter,
    OutboundWorker,
    OutboundSweeperCron,
    SendRecorder,
    TiktokWebhookRegistrar,
    TiktokDiagnostics,
    TiktokHealthIndicator,
    TiktokRetentionService,
    RetentionCron,
  ],
  exports: [
    TiktokMessenger,
    TiktokRateLimiter,
    OutboundWorker,
    TiktokAccountsService,
    TiktokWebhookRegistrar,
    TiktokDiagnostics,
    TiktokHealthIndicator,
    TiktokRetentionService,
    TiktokTokenService,
    TokenRefreshCron,
    InboundProcessor,
    TiktokEventPublisher,
    TIKTOK_API_CLIENT,
    TIKTOK_HELPDESK_PORT,
  ],
})
export class TiktokChannelModule extends TiktokChannelConfigurableModule {
  static forRoot(options: typeof TIKTOK_CHANNEL_OPTIONS_TYPE): DynamicModule {
    return TiktokChannelModule.withPort(super.forRoot(options), options.helpdeskPort);
  }

  static forRootAsync(options: typeof TIKTOK_CHANNEL_ASYNC_OPTIONS_TYPE): DynamicModule {
    return TiktokChannelModule.withPort(super.forRootAsync(options), options.helpdeskPort);
  }

  private static withPort(
    module: DynamicModule,
    port: TiktokHelpdeskPortProvider | undefined,
  ): DynamicModule {
    return { ...module, providers: [...(module.providers ?? []), portProvider(port)] };
  }
}

function portProvider(port: TiktokHelpdeskPortProvider | undefined): Provider {
  if (typeof port === 'function') return { provide: TIKTOK_HELPDESK_PORT, useClass: port };
  if (port && 'useExisting' in port) {
    return { provide: TIKTOK_HELPDESK_PORT, useExisting: port.useExisting };
  }
  if (port && 'useClass' in port) return { provide: TIKTOK_HELPDESK_PORT, useClass: port.useClass };
  throw new TiktokChannelConfigError(
    'helpdeskPort is required: your TiktokHelpdeskPort class, or { useExisting: token }',
  );
}
