import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { TiktokMessenger } from 'tiktok-channel';
import { OutgoingMessagesService } from '../conversations/outgoing-messages.service';
import type { AutomationRuleEntity } from '../database/entities/automation-rule.entity';
import { queryRows } from '../database/sql';
import { HelpdeskEvents, type AutomationSkippedEvent } from './helpdesk-events';

/**
 * Sends rules' messages the way an agent's reply is sent, so they show in the conversation with
 * their status and a mark saying which automation wrote them. A rule's message is sent only when
 * TikTok would deliver it now (the reply window is open, the caps leave room, the account is
 * connected): an automation that cannot reach the customer would only leave a failed message for
 * an agent to clear. It never throws: automation runs after the triggering work is committed and
 * must not turn a received message or a resolved conversation into an error.
 */
@Injectable()
export class AutomationSender {
  private readonly logger = new Logger('Automation');

  constructor(
    private readonly outgoing: OutgoingMessagesService,
    private readonly messenger: TiktokMessenger,
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  async sendAll(rules: AutomationRuleEntity[], conversationId: string): Promise<void> {
    // One after the other, in the rules' order, so the customer reads them in that order.
    for (const rule of rules) {
      try {
        const state = await this.messenger.getSendingState(conversationId);
        if (!state.canSend) {
          this.logger.log(
            `Rule ${rule.id} (${rule.kind}) not sent to conversation ${conversationId}: ${state.reason ?? 'cannot send now'}`,
          );
          this.events.emit(HelpdeskEvents.AutomationSkipped, {
            ruleId: rule.id,
            conversationId,
            reason: state.reason ?? 'unknown',
          } satisfies AutomationSkippedEvent);
          continue;
        }
        const message = await this.outgoing.send(conversationId, {
          content: rule.content,
          author: { kind: rule.kind },
        });
        if (message.status === 'failed') {
          this.logger.warn(
            `Rule ${rule.id} (${rule.kind}) could not send to conversation ${conversationId}: ${message.failureReason}`,
          );
        } else if (rule.kind === 'csat') {
          // The customer's next message is read as the survey's answer.
          await queryRows(
            this.dataSource,
            `UPDATE conversations SET csat_requested_at = now() WHERE id = $1`,
            [conversationId],
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
