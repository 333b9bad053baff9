import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AutomationRulesController } from './api/automation-rules.controller';
import { AttachmentsController, ComposerController } from './api/composer.controller';
import { ConversationNotesController } from './api/conversation-notes.controller';
import { ConversationsController } from './api/conversations.controller';
import { CsatReportController } from './api/csat-report.controller';
import { InboxesController } from './api/inboxes.controller';
import { MessagesController } from './api/messages.controller';
import { AutomationRulesService } from './automation/automation-rules.service';
import { AutomationSender } from './automation/automation-sender.service';
import { CsatSurveyListener } from './automation/csat-survey.listener';
import { FirstMessageAutoReplyListener } from './automation/first-message-auto-reply.listener';
import { ConversationNotesService } from './conversations/conversation-notes.service';
import { ConversationsService } from './conversations/conversations.service';
import { CsatReportService } from './csat/csat-report.service';
import { MessagesService } from './conversations/messages.service';
import { OutgoingMessagesService } from './conversations/outgoing-messages.service';
import { helpdeskEntities } from './database/helpdesk-database';
import { InboxesService } from './inboxes/inboxes.service';
import { PageController } from './page/page.controller';

/**
 * The helpdesk itself: API, page and automation. It expects the global providers its root module
 * sets up (DataSource, EventEmitter2, and the TikTok library's messenger and accounts service), so
 * tests can assemble it around their own.
 */
@Module({
  imports: [TypeOrmModule.forFeature(helpdeskEntities)],
  controllers: [
    PageController,
    InboxesController,
    ConversationsController,
    MessagesController,
    ComposerController,
    AttachmentsController,
    AutomationRulesController,
    ConversationNotesController,
    CsatReportController,
  ],
  providers: [
    InboxesService,
    ConversationsService,
    MessagesService,
    OutgoingMessagesService,
    AutomationRulesService,
    AutomationSender,
    FirstMessageAutoReplyListener,
    CsatSurveyListener,
    ConversationNotesService,
    CsatReportService,
  ],
})
export class HelpdeskCoreModule {}
