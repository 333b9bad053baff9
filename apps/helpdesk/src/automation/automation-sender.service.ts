import { Injectable, Logger } from '@nestjs/common';
import { OutgoingMessagesService } from '../conversations/outgoing-messages.service';
import type { AutomationRuleEntity } from '../database/entities/automation-rule.entity';

/**
 * Sends rules' messages the way an agent's reply is sent, so they show in the conversation with
 * their status. It never throws: automation runs after the triggering work is committed and must
 * not turn a received message or a resolved conversation into an error.
 */
@Injectable()
export class AutomationSender {
  private readonly logger = new Logger('Automation');

  constructor(private readonly outgoing: OutgoingMessagesService) {}

  async sendAll(rules: AutomationRuleEntity[], conversationId: string): Promise<void> {
    // One after the other, in the rules' order, so the customer reads them in that order.
    for (const rule of rules) {
      try {
        const message = await this.outgoing.send(conversationId, rule.content);
        if (message.status === 'failed') {
          this.logger.warn(
            `Rule ${rule.id} (${rule.kind}) could not send to conversation ${conversationId}: ${message.failureReason}`,
          );
        }
      } catch (error) {
        this.logger.error(
          `Rule ${rule.id} (${rule.kind}) failed for conversation ${conversationId}: ${(error as Error).message}`,
          (error as Error).stack,
        );
      }
    }
  }
}
