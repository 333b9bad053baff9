import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AutomationRulesService } from './automation-rules.service';
import { AutomationSender } from './automation-sender.service';
import { HelpdeskEvents, type ConversationResolvedEvent } from './helpdesk-events';

/** Sends the enabled satisfaction-survey rules when an agent resolves a conversation. */
@Injectable()
export class CsatSurveyListener {
  private readonly logger = new Logger('Automation');

  constructor(
    private readonly rules: AutomationRulesService,
    private readonly sender: AutomationSender,
  ) {}

  // async: resolving answers the agent at once; the survey goes out afterwards.
  @OnEvent(HelpdeskEvents.ConversationResolved, { async: true, suppressErrors: false })
  async onConversationResolved(event: ConversationResolvedEvent): Promise<void> {
    try {
      const rules = await this.rules.enabledFor('conversation_resolved', 'csat', event.inboxId);
      await this.sender.sendAll(rules, event.conversationId);
    } catch (error) {
      this.logger.error(
        `CSAT survey for conversation ${event.conversationId} failed: ${(error as Error).message}`,
        (error as Error).stack,
      );
    }
  }
}
