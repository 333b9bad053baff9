import { TiktokAccountEntity } from './entities/tiktok-account.entity';
import { TiktokConversationEntity } from './entities/tiktok-conversation.entity';
import { TiktokOauthStateEntity } from './entities/tiktok-oauth-state.entity';
import { TiktokOutboundMediaEntity } from './entities/tiktok-outbound-media.entity';
import { TiktokOutboundMessageEntity } from './entities/tiktok-outbound-message.entity';
import { TiktokOutboundRequestEntity } from './entities/tiktok-outbound-request.entity';
import { TiktokRateLimitEntity } from './entities/tiktok-rate-limit.entity';
import { TiktokWebhookEventEntity } from './entities/tiktok-webhook-event.entity';
import { TiktokChannelInitial1764000000000 } from './migrations/1764000000000-tiktok-channel-initial';
import { TiktokRefreshLease1764100000000 } from './migrations/1764100000000-tiktok-refresh-lease';
import { TiktokOutboundDelivery1764700000000 } from './migrations/1764700000000-tiktok-outbound-delivery';
import { TiktokConnectBinding1764400000000 } from './migrations/1764400000000-tiktok-connect-binding';
import { TiktokRefreshDiagnostics1764800000000 } from './migrations/1764800000000-tiktok-refresh-diagnostics';
import { TiktokInboundIntake1764900000000 } from './migrations/1764900000000-tiktok-inbound-intake';

export {
  TiktokAccountEntity,
  TiktokConversationEntity,
  TiktokOauthStateEntity,
  TiktokOutboundMessageEntity,
  TiktokOutboundMediaEntity,
  TiktokOutboundRequestEntity,
  TiktokRateLimitEntity,
  TiktokWebhookEventEntity,
};

/** Register these with the host's TypeORM data source. */
export const tiktokChannelEntities = [
  TiktokAccountEntity,
  TiktokOauthStateEntity,
  TiktokWebhookEventEntity,
  TiktokConversationEntity,
  TiktokOutboundMessageEntity,
  TiktokOutboundMediaEntity,
  TiktokOutboundRequestEntity,
  TiktokRateLimitEntity,
];

/** Run these with the host's migrations (the library never uses `synchronize`). */
export const tiktokChannelMigrations = [
  TiktokChannelInitial1764000000000,
  TiktokRefreshLease1764100000000,
  TiktokConnectBinding1764400000000,
  TiktokOutboundDelivery1764700000000,
  TiktokRefreshDiagnostics1764800000000,
  TiktokInboundIntake1764900000000,
];
