export { TiktokChannelModule } from './tiktok-channel.module';
export type { TiktokChannelModuleExtras } from './tiktok-channel.module-definition';
export {
  DEFAULT_API_BASE_URL,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_SCOPES,
  REQUIRED_SCOPES,
  type TiktokChannelModuleOptions,
  type TiktokConnectContext,
} from './tiktok-channel.options';
export { TiktokChannelConfigError } from './tiktok-channel.config';

export * from './host/helpdesk-port';
export * from './host/tiktok-events';

export {
  TiktokMessenger,
  TiktokConversationNotFoundError,
  type SendInput,
  type SendOutcome,
} from './outbound/tiktok-messenger.service';
export { REPLY_WINDOW_MS, MAX_TEXT_LENGTH } from './outbound/messaging-rules';
export {
  TiktokAccountsService,
  type TiktokAccountWithInbox,
} from './accounts/tiktok-accounts.service';
export { TiktokWebhookRegistrar } from './webhook/tiktok-webhook.registrar';
export { TiktokTokenService } from './tokens/tiktok-token.service';
export { TiktokReauthorizationRequiredError } from './tokens/token.errors';
export { InboundProcessor } from './inbound/inbound-processor.service';
export type { ConnectFailureReason } from './oauth/connect-result';

export { TiktokApiClient } from './api/tiktok-api.client';
export { TiktokApiError, classifyTiktokCode } from './api/tiktok-api.error';
export type * from './api/tiktok-api.types';
export { TokenCipher } from './tokens/token-cipher';
export { verifyTiktokSignature, signTiktokPayload } from './webhook/webhook-signature';

export { tiktokChannelEntities, tiktokChannelMigrations } from './persistence';
export * from './persistence';
