import { AutomationRuleEntity } from './entities/automation-rule.entity';
import { ContactEntity } from './entities/contact.entity';
import { ConversationEntity } from './entities/conversation.entity';
import { InboxEntity } from './entities/inbox.entity';
import { MessageEntity } from './entities/message.entity';
import { CreateHelpdeskTables1763900000000 } from './migrations/1763900000000-create-helpdesk-tables';

/** The host's tables, to register beside `tiktokChannelEntities`. */
export const helpdeskEntities = [
  InboxEntity,
  ContactEntity,
  ConversationEntity,
  MessageEntity,
  AutomationRuleEntity,
];

/** The host's migrations, to run beside `tiktokChannelMigrations` (never `synchronize`). */
export const helpdeskMigrations = [CreateHelpdeskTables1763900000000];
