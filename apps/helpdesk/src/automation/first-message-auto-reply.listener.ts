import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { TiktokEvents, type MessageReceivedEvent } from 'tiktok-channel';
import { AutomationRulesService } from './automation-rules.service';
import { AutomationSender } from './automation-sender.service';

/** Answers the first message of a new conversation with the enabled auto-reply rules. */
@Injectable()
export class FirstMessageAutoReplyListener {
  private readonly logger = new Logger('Automation');

  constructor(
    private readonly rules: AutomationRulesService,
    private readonly sender: AutomationSender,
  ) {}

  // async: the library emits after committing the message, and must not wait for our reply.
  // Errors are caught below and logged with context rather than left to the emitter's handler.
  @OnEvent(TiktokEvents.MessageReceived, { async: true, suppressErrors: false })
  async onMessageReceived(event: MessageReceivedEvent): Promise<void> {
    if (!event.firstInConversation) return;
    try {
      const rules = await this.rules.enabledFor('first_message', 'auto_reply', event.inboxId);
      await this.sender.sendAll(rules, event.conversationId);
    } catch (error) {
      this.logger.error(
        `Auto-reply for conversation ${event.conversationId} failed: ${(error as Error).message}`,
        (error as Error).stack,
      );
    }
  }
}
