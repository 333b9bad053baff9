import { AutomationRuleEntity } from './entities/automation-rule.entity';
import { ContactEntity } from './entities/contact.entity';
import { ConversationNoteEntity } from './entities/conversation-note.entity';
import { CsatRatingEntity } from './entities/csat-rating.entity';
import { ConversationEntity } from './entities/conversation.entity';
import { InboundAttachmentEntity } from './entities/inbound-attachment.entity';
import { InboxEntity } from './entities/inbox.entity';
import { MessageReactionEntity } from './entities/message-reaction.entity';
import { MessageEntity } from './entities/message.entity';
import { OutgoingAttachmentEntity } from './entities/outgoing-attachment.entity';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { CreateHelpdeskTables1763900000000 } from './migrations/1763900000000-create-helpdesk-tables';
import { OutgoingAttachments1764700000000 } from './migrations/1764700000000-outgoing-attachments';
import { InboundMediaReactionsNotes1764960000000 } from './migrations/1764960000000-inbound-media-reactions-notes';
import { UsersAndSessions1764950000000 } from './migrations/1764950000000-users-and-sessions';
import { HelpdeskWorkspace1764950000001 } from './migrations/1764950000001-helpdesk-workspace';

/** The host's tables, to register beside `tiktokChannelEntities`. */
export const helpdeskEntities = [
  InboxEntity,
  ContactEntity,
  ConversationEntity,
  MessageEntity,
  AutomationRuleEntity,
  OutgoingAttachmentEntity,
  InboundAttachmentEntity,
  MessageReactionEntity,
  ConversationNoteEntity,
  UserEntity,
  SessionEntity,
  CsatRatingEntity,
];

/** The host's migrations, to run beside `tiktokChannelMigrations` (never `synchronize`). */
export const helpdeskMigrations = [
  CreateHelpdeskTables1763900000000,
  OutgoingAttachments1764700000000,
  InboundMediaReactionsNotes1764960000000,
  UsersAndSessions1764950000000,
  HelpdeskWorkspace1764950000001,
];
