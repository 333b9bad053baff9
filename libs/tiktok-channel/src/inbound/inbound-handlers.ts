import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  TIKTOK_HELPDESK_PORT,
  type EchoMessage,
  type InboundMessage,
  type TiktokHelpdeskPort,
} from '../host/helpdesk-port';
import {
  TiktokEvents,
  type ConversationOpenedEvent,
  type MessageReceivedEvent,
} from '../host/tiktok-events';
import { queryRows } from '../persistence/sql';
import { InjectTiktokConfig, type TiktokChannelConfig } from '../tiktok-channel.config';
import { WAITING_FOR_CONNECT } from './inbound-constants';
import { ConversationLink } from './conversation-link';
import { EeaFetch } from './eea-fetch';
import {
  eventTime,
  type HandlerVerdict,
  type InboundAccount,
  type InboundEventRow,
  type Publication,
} from './inbound-event';
import { InboundMedia } from './inbound-media';
import { InboundReactions } from './inbound-reactions';
import { InboundReceipts } from './inbound-receipts';
import { InboundReferrals } from './inbound-referrals';
import type { InboundRun } from './inbound-run';
import type { AppendedMessage } from './message-batch';
import { toHostContent } from './message-content';
import { readTiktokMessage, type TiktokMessageView } from './tiktok-message';

export interface AccountRow {
  id: string;
  host_inbox_id: string | null;
}

/** How long an unfinished send of ours may hold back an unmatched echo before it is taken as foreign. */
const PENDING_SEND_WINDOW_SECONDS = 120;

/** One method per handled webhook event; all library writes go through the caller's transaction. */
@Injectable()
export class InboundHandlers {
  constructor(
    @Inject(TIKTOK_HELPDESK_PORT) private readonly port: TiktokHelpdeskPort,
    private readonly conversations: ConversationLink,
    private readonly media: InboundMedia,
    private readonly reactions: InboundReactions,
    private readonly receipts: InboundReceipts,
    private readonly referrals: InboundReferrals,
    private readonly eea: EeaFetch,
    @InjectTiktokConfig() private readonly config: TiktokChannelConfig,
  ) {}

  /**
   * `run` carries what the run's earlier events looked up (account, conversation link) and the
   * reply-window moves the caller flushes with the run: one query per run instead of per event.
   */
  async handle(
    manager: EntityManager,
    event: InboundEventRow,
    out: Publication[],
    run: InboundRun,
  ): Promise<HandlerVerdict> {
    const accounts = run.accounts;
    let row = accounts.get(event.business_id);
    if (row === undefined) {
      [row = null] = await queryRows<AccountRow>(
        manager,
        `SELECT id, host_inbox_id FROM tiktok_accounts WHERE business_id = $1`,
        [event.business_id],
      );
      accounts.set(event.business_id, row);
    }
    if (!row?.host_inbox_id) return this.notConnected(event);
    const account: InboundAccount = {
      id: row.id,
      businessId: event.business_id,
      inboxId: row.host_inbox_id,
    };
    switch (event.event) {
      case 'im_receive_msg':
      case 'im_send_msg':
        return this.message(manager, event, account, out, run);
      case 'im_mark_read_msg':
        return this.receipts.read(manager, event, account, out);
      case 'im_referral_msg':
        return this.referrals.referral(manager, event, account, out);
      case 'im_receive_msg_eu':
        return this.eea.fetch(manager, event, account);
      case 'history_gap':
        return this.eea.gap(manager, event, account);
      default:
        return { outcome: 'ignored', note: `event ${event.event} is not handled` };
    }
  }

  /**
   * Whether the event's message may wait in the run's batch: a message or echo, not a reaction
   * (a reaction may target a message of the batch, so the batch goes to the host before it).
   */
  batchable(event: InboundEventRow): boolean {
    if (event.event !== 'im_receive_msg' && event.event !== 'im_send_msg') return false;
    return readTiktokMessage(event.content, event.business_id, event.event).type !== 'reaction';
  }

  /**
   * TikTok may deliver before the business finishes connecting: the event waits (with the rest of
   * its conversation, in order) until the business connects, for `earlyWebhookRetentionHours`.
   */
  private notConnected(event: InboundEventRow): HandlerVerdict {
    const keepUntil =
      new Date(event.received_at).getTime() + this.config.earlyWebhookRetentionHours * 3_600_000;
    const seconds = Math.ceil((keepUntil - Date.now()) / 1000);
    if (seconds <= 0) return { outcome: 'ignored', note: 'no connected account for this business' };
    return { outcome: 'deferred', seconds, note: WAITING_FOR_CONNECT };
  }

  /** `im_receive_msg` and `im_send_msg`: the sender, not the event name, decides the direction. */
  private async message(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
    out: Publication[],
    run: InboundRun,
  ): Promise<HandlerVerdict> {
    const view = readTiktokMessage(event.content, account.businessId, event.event);
    if (!view.messageId) return { outcome: 'ignored', note: 'message without message_id' };
    if (view.type === 'reaction') return this.reactions.apply(manager, event, account, view, out);
    if (view.fromBusiness) return this.echo(manager, event, account, view, run);
    return this.received(manager, event, account, view, out, run);
  }

  private async received(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
    view: TiktokMessageView,
    out: Publication[],
    run: InboundRun,
  ): Promise<HandlerVerdict> {
    const tiktokConversationId = event.tiktok_conversation_id as string;
    const messageId = view.messageId as string;
    const personId =
      view.senderId ??
      (await this.conversations.find(manager, account.id, tiktokConversationId))?.tiktok_user_id;
    if (!personId)
      return { outcome: 'ignored', note: 'message without sender on an unknown conversation' };
    const sentAt = eventTime(event);

    const conversation = await this.conversations.link(
      manager,
      account,
      tiktokConversationId,
      personId,
      view.senderName,
      run,
    );
    const firstInConversation =
      conversation.previous === null || conversation.previous.last_inbound_at === null;
    const host = toHostContent(event.content);
    const attachments = await this.media.fetchAll(host.attachments, {
      accountId: account.id,
      businessId: account.businessId,
      inboxId: account.inboxId,
      conversationId: conversation.row.host_conversation_id,
      tiktokConversationId,
      tiktokMessageId: messageId,
    });
    const message: InboundMessage = {
      direction: 'incoming',
      inboxId: account.inboxId,
      conversationId: conversation.row.host_conversation_id,
      contactId: conversation.row.host_contact_id,
      tiktokMessageId: messageId,
      content: host.content,
      attachments,
      sentAt,
      tiktokType: view.type || 'unknown',
      ...(view.replyTo ? { replyTo: { tiktokMessageId: view.replyTo } } : {}),
      ...(view.isFollower !== undefined ? { isFollower: view.isFollower } : {}),
      ...(view.autoMessageType ? { autoMessageType: view.autoMessageType } : {}),
      ...(host.raw ? { raw: host.raw } : {}),
    };
    const appended = (result: AppendedMessage) => {
      if (conversation.isNew) {
        out.push({
          name: TiktokEvents.ConversationOpened,
          payload: {
            inboxId: account.inboxId,
            conversationId: conversation.row.host_conversation_id,
            contactId: conversation.row.host_contact_id,
            tiktokConversationId,
          } satisfies ConversationOpenedEvent,
        });
      }
      if (result.created) {
        out.push({
          name: TiktokEvents.MessageReceived,
          payload: {
            inboxId: account.inboxId,
            conversationId: conversation.row.host_conversation_id,
            contactId: conversation.row.host_contact_id,
            messageId: result.messageId,
            tiktokMessageId: messageId,
            content: host.content,
            firstInConversation,
          } satisfies MessageReceivedEvent,
        });
      }
    };
    // The customer wrote: this (re)opens the 48-hour reply window (written with the run's commit).
    // A batched message is noted before the host has it, so that the run's next event sees it.
    if (run.messages.enabled) {
      run.customerWrote(conversation.row, sentAt);
      run.messages.add(event, message, appended);
    } else {
      const result = await this.port.appendMessage(message);
      run.customerWrote(conversation.row, sentAt);
      appended(result);
    }
    return { outcome: 'processed' };
  }

  /**
   * The `im_send_msg` echo. Our own sends are recognised by TikTok message id and dropped; a send of
   * ours still in flight holds the echo back briefly (the sender re-kicks processing when it stores
   * the id), so an echo that overtakes its send response never becomes a second message. Anything
   * else was typed in the TikTok app (or another tool) and reaches the host as outgoing.
   */
  private async echo(
    manager: EntityManager,
    event: InboundEventRow,
    account: InboundAccount,
    view: TiktokMessageView,
    run: InboundRun,
  ): Promise<HandlerVerdict> {
    const tiktokConversationId = event.tiktok_conversation_id as string;
    const messageId = view.messageId as string;
    if (run.ownSends.has(messageId)) return { outcome: 'processed', note: 'echo of our own send' };
    const [ours] = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM tiktok_outbound_messages WHERE tiktok_message_id = $1`,
      [messageId],
    );
    if (ours) return { outcome: 'processed', note: 'echo of our own send' };

    const [inFlight] = await queryRows<{ id: string }>(
      manager,
      `SELECT o.id FROM tiktok_outbound_messages o
         JOIN tiktok_conversations c ON c.id = o.conversation_id
        WHERE c.account_id = $1 AND c.tiktok_conversation_id = $2 AND o.status IN ('pending', 'sending')
          AND o.created_at > now() - make_interval(secs => $3)
        LIMIT 1`,
      [account.id, tiktokConversationId, PENDING_SEND_WINDOW_SECONDS],
    );
    if (inFlight) return { outcome: 'deferred', seconds: 2 };

    // `to_user` is optional when the conversation is already known.
    const recipient = view.recipientId !== account.businessId ? view.recipientId : undefined;
    const personId =
      recipient ??
      (await this.conversations.find(manager, account.id, tiktokConversationId))?.tiktok_user_id;
    if (!personId)
      return { outcome: 'ignored', note: 'echo without recipient on an unknown conversation' };
    const conversation = await this.conversations.link(
      manager,
      account,
      tiktokConversationId,
      personId,
      view.recipientName,
      run,
    );
    const host = toHostContent(event.content);
    const attachments = await this.media.fetchAll(host.attachments, {
      accountId: account.id,
      businessId: account.businessId,
      inboxId: account.inboxId,
      conversationId: conversation.row.host_conversation_id,
      tiktokConversationId,
      tiktokMessageId: messageId,
    });
    const message: EchoMessage = {
      direction: 'outgoing',
      inboxId: account.inboxId,
      conversationId: conversation.row.host_conversation_id,
      tiktokMessageId: messageId,
      content: host.content,
      attachments,
      sentAt: eventTime(event),
      sentFrom: view.sentFrom,
      tiktokType: view.type || 'unknown',
      ...(view.replyTo ? { replyTo: { tiktokMessageId: view.replyTo } } : {}),
    };
    if (run.messages.enabled) run.messages.add(event, message, () => undefined);
    else await this.port.appendMessage(message);
    return { outcome: 'processed', note: 'sent outside the helpdesk' };
  }
}
