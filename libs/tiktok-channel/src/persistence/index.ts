import { TiktokAccountEntity } from './entities/tiktok-account.entity';
import { TiktokConversationEntity } from './entities/tiktok-conversation.entity';
import { TiktokOauthStateEntity } from './entities/tiktok-oauth-state.entity';
import { TiktokOutboundMessageEntity } from './entities/tiktok-outbound-message.entity';
import { TiktokWebhookEventEntity } from './entities/tiktok-webhook-event.entity';
import { TiktokChannelInitial1764000000000 } from './migrations/1764000000000-tiktok-channel-initial';
import { TiktokRefreshLease1764100000000 } from './migrations/1764100000000-tiktok-refresh-lease';
import { TiktokConnectBinding1764400000000 } from './migrations/1764400000000-tiktok-connect-binding';

export {
  TiktokAccountEntity,
  TiktokConversationEntity,
  TiktokOauthStateEntity,
  TiktokOutboundMessageEntity,
  TiktokWebhookEventEntity,
};

/** Register these with the host's TypeORM data source. */
export const tiktokChannelEntities = [
  TiktokAccountEntity,
  TiktokOauthStateEntity,
  TiktokWebhookEventEntity,
  TiktokConversationEntity,
  TiktokOutboundMessageEntity,
];

/** Run these with the host's migrations (the library never uses `synchronize`). */
export const tiktokChannelMigrations = [
  TiktokChannelInitial1764000000000,
  TiktokRefreshLease1764100000000,
  TiktokConnectBinding1764400000000,
];
