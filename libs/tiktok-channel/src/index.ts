export { TiktokChannelModule } from './tiktok-channel.module';
export type {
  TiktokChannelModuleExtras,
  TiktokChannelModuleImport,
  TiktokHelpdeskPortProvider,
} from './tiktok-channel.module-definition';
export {
  DEFAULT_API_BASE_URL,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_RETENTION,
  DEFAULT_SCOPES,
  REQUIRED_SCOPES,
  type TiktokChannelModuleOptions,
  type TiktokConnectContext,
  type TiktokRetentionOptions,
} from './tiktok-channel.options';
export { TiktokChannelConfigError } from './tiktok-channel.config';
export { TiktokChannelJobs, type TiktokChannelJobName } from './jobs/tiktok-channel-jobs';

export * from './host/helpdesk-port';
export * from './host/tiktok-events';

export {
  TiktokMessenger,
  TiktokConversationNotFoundError,
  TiktokOutboundMessageNotFoundError,
  type RetryInput,
  type SendInput,
  type SendOutcome,
  type SenderActionInput,
  type SenderActionOutcome,
  type TiktokAttachment,
  type TiktokSendingState,
} from './outbound/tiktok-messenger.service';
export {
  REPLY_WINDOW_MS,
  MAX_TEXT_LENGTH,
  DEFAULT_MESSAGE_CAPS,
  splitText,
} from './outbound/messaging-rules';
export { MAX_IMAGE_BYTES, prepareImage, type PreparedImage } from './outbound/image-preparation';
export { TiktokRateLimiter } from './outbound/rate-limiter';
export {
  TiktokAccountsService,
  TiktokAccountNotFoundError,
  type TiktokAccountWithInbox,
  type TiktokDisconnectResult,
} from './accounts/tiktok-accounts.service';
export {
  TiktokWebhookRegistrar,
  type TiktokWebhookStatus,
} from './webhook/tiktok-webhook.registrar';
export {
  TiktokDiagnostics,
  type TiktokDiagnosticsOptions,
  type TiktokHealthSummary,
} from './diagnostics/tiktok-diagnostics.service';
export { TiktokHealthIndicator } from './diagnostics/tiktok-health.indicator';
export { formatTiktokDiagnosticReport } from './diagnostics/format-report';
export {
  TIKTOK_SYMPTOM_CHECKS,
  type TiktokDiagnosticAccount,
  type TiktokDiagnosticCheck,
  type TiktokDiagnosticCheckId,
  type TiktokDiagnosticReport,
  type TiktokDiagnosticVerdict,
  type TiktokSymptom,
} from './diagnostics/tiktok-diagnostic.types';
export {
  TiktokRetentionService,
  type TiktokRetentionRun,
} from './retention/tiktok-retention.service';
export { TiktokTokenService } from './tokens/tiktok-token.service';
export { TokenRefreshCron } from './tokens/token-refresh.cron';
export {
  TiktokReauthorizationRequiredError,
  TiktokRefreshFailedError,
} from './tokens/token.errors';
export { REFRESH_REFUSAL_CODES } from './tokens/refresh-failure';
export { generateTokenEncryptionKey } from './tokens/token-cipher';
export type { ConnectFailureReason } from './oauth/connect-result';

/** The configured TikTok client, for a host's own calls: inject it with `@Inject(TIKTOK_API_CLIENT)`. */
export { TIKTOK_API_CLIENT } from './tiktok-channel.constants';
export { TiktokApiClient } from './api/tiktok-api.client';
export { TiktokApiError, classifyTiktokCode } from './api/tiktok-api.error';
export type * from './api/tiktok-api.types';

export {
  tiktokChannelEntities,
  tiktokChannelMigrations,
  TiktokAccountEntity,
  TiktokConversationEntity,
  TiktokOauthStateEntity,
  TiktokOutboundMessageEntity,
  TiktokWebhookEventEntity,
} from './persistence';
export {
  runMigrationsExclusively,
  TIKTOK_MIGRATION_LOCK_KEY,
} from './persistence/run-migrations-exclusively';
