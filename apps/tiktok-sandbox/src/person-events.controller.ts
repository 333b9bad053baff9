import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { field, optionalChoice, optionalNumber, optionalText } from './control-fields';
import {
  businessOf,
  checkNumericIds,
  conversationOf,
  messageOf,
  partiesOf,
  personOf,
} from './control-lookups';
import { WebhookDispatch, dispatchWebhooks } from './event-dispatch';
import { newId } from './ids';
import { newMessageId } from './inbound-message-builder';
import { InboundState } from './inbound-state';
import { SandboxConfig } from './options';
import { asParams } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { Account, Conversation, PreparedWebhook, SandboxState } from './sandbox-state';
import { WebhookDelivery } from './webhook-delivery';
import {
  ReactionEvent,
  ReadReceiptEvent,
  ReferralEvent,
  reactionWebhook,
  readReceiptWebhook,
  referralWebhook,
} from './webhook-events';
import { readWireShape } from './wire-shape';

export interface CreatedEvent {
  conversationId: string;
  eventId: string;
  event: string;
  webhook: WebhookDispatch;
}

/**
 * What TikTok people do besides writing: reactions, read receipts, arriving from an ad or a link.
 * Each is an event with its own id (for redelivery), not a message. Not part of TikTok's API.
 */
@Controller('sandbox')
export class PersonEventsController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly inbound: InboundState,
    private readonly delivery: WebhookDelivery,
  ) {}

  /** The person adds (or removes) a reaction on a message of the conversation. */
  @Post('reactions')
  @HttpCode(201)
  react(@Body() body: unknown): CreatedEvent {
    const params = asParams(body);
    const target = messageOf(this.state, field(params, 'messageId'));
    const { conversation, business, user } = partiesOf(this.state, target.conversationId);
    const wire = readWireShape(params.wire);
    checkNumericIds(wire, user);
    const reaction: ReactionEvent = {
      eventId: newMessageId(wire.ids === 'number'),
      conversationId: conversation.conversationId,
      operation: optionalChoice(params, 'operation', ['ADD', 'REMOVE']) ?? 'ADD',
      emoji: optionalText(params, 'emoji') ?? '❤️',
      originalMessageId: target.messageId,
      timestamp: optionalNumber(params, 'timestamp') ?? this.state.now(),
    };
    this.inbound.record(this.inbound.reactions, conversation.conversationId, reaction);
    const webhook = reactionWebhook(this.config, business, user, reaction, wire);
    return this.publishEvent(business, conversation, reaction.eventId, [webhook]);
  }

  /**
   * `im_mark_read_msg`: the person (or, with `by: "business"`, the business in the TikTok app)
   * read the conversation up to `lastReadTimestamp` (default now).
   */
  @Post('read-receipts')
  @HttpCode(201)
  markRead(@Body() body: unknown): CreatedEvent {
    const params = asParams(body);
    const { conversation, business, user } = partiesOf(this.state, field(params, 'conversationId'));
    const wire = readWireShape(params.wire);
    const by = optionalChoice(params, 'by', ['user', 'business']) ?? 'user';
    if (by === 'user') checkNumericIds(wire, user);
    const now = this.state.now();
    const receipt: ReadReceiptEvent = {
      eventId: newId.event('read'),
      conversationId: conversation.conversationId,
      by,
      lastReadTimestamp: optionalNumber(params, 'lastReadTimestamp') ?? now,
      timestamp: optionalNumber(params, 'timestamp') ?? now,
    };
    this.inbound.record(this.inbound.readReceipts, conversation.conversationId, receipt);
    const webhook = readReceiptWebhook(this.config, business, user, receipt, wire);
    return this.publishEvent(business, conversation, receipt.eventId, [webhook]);
  }

  /** `im_referral_msg`: the person arrived from an ad (default) or a tiktok.me link. */
  @Post('referrals')
  @HttpCode(201)
  refer(@Body() body: unknown): CreatedEvent {
    const params = asParams(body);
    const user = personOf(this.state, field(params, 'fromUserId'));
    const business = businessOf(this.state, field(params, 'toBusinessId'));
    const wire = readWireShape(params.wire);
    checkNumericIds(wire, user);
    const source = optionalChoice(params, 'source', ['ad', 'short_link']) ?? 'ad';
    // Every field is read before the conversation opens: a refused call leaves nothing behind.
    const origin =
      source === 'ad'
        ? {
            ad: {
              adId: optionalText(params, 'adId') ?? '1790000000000001',
              adName: optionalText(params, 'adName') ?? 'Spring sale',
              embedUrl: `https://www.tiktok.com/embed/v2/${optionalText(params, 'adVideoId') ?? '7300000000000000001'}`,
            },
          }
        : {
            shortLink: {
              ref: optionalText(params, 'ref') ?? 'bio_link',
              url: `https://tiktok.me/${business.username}`,
            },
          };
    const timestamp = optionalNumber(params, 'timestamp') ?? this.state.now();
    const conversation = this.state.openConversation(business.openId, user.userId);
    const referral: ReferralEvent = {
      eventId: newId.event('referral'),
      conversationId: conversation.conversationId,
      source,
      ...origin,
      timestamp,
    };
    this.inbound.record(this.inbound.referrals, conversation.conversationId, referral);
    const webhook = referralWebhook(this.config, business, user, referral, wire);
    return this.publishEvent(business, conversation, referral.eventId, [webhook]);
  }

  @Get('conversations/:conversationId/reactions')
  reactions(@Param('conversationId') conversationId: string): ReactionEvent[] {
    return (
      this.inbound.reactions.get(conversationOf(this.state, conversationId).conversationId) ?? []
    );
  }

  @Get('conversations/:conversationId/read-receipts')
  readReceipts(@Param('conversationId') conversationId: string): ReadReceiptEvent[] {
    return (
      this.inbound.readReceipts.get(conversationOf(this.state, conversationId).conversationId) ?? []
    );
  }

  @Get('conversations/:conversationId/referrals')
  referrals(@Param('conversationId') conversationId: string): ReferralEvent[] {
    return (
      this.inbound.referrals.get(conversationOf(this.state, conversationId).conversationId) ?? []
    );
  }

  private publishEvent(
    business: Account,
    conversation: Conversation,
    eventId: string,
    webhooks: PreparedWebhook[],
  ): CreatedEvent {
    this.inbound.eventWebhooks.set(eventId, webhooks);
    return {
      conversationId: conversation.conversationId,
      eventId,
      event: webhooks[0].event,
      webhook: dispatchWebhooks(this.delivery, business, webhooks),
    };
  }
}
