import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  field,
  optionalBoolean,
  optionalChoice,
  optionalNumber,
  optionalText,
} from './control-fields';
import { WebhookDispatch, dispatchWebhooks } from './event-dispatch';
import { newId } from './ids';
import { newMessageId, readInboundMessage, readMessageFlags } from './inbound-message-builder';
import { ConversationTimeField, InboundState } from './inbound-state';
import { SandboxConfig } from './options';
import { asParams } from './params';
import { SampleMedia } from './sample-media';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import {
  Account,
  Conversation,
  PreparedWebhook,
  SandboxState,
  StoredMessage,
  TikTokUser,
} from './sandbox-state';
import { WebhookDelivery } from './webhook-delivery';
import {
  ReactionEvent,
  ReadReceiptEvent,
  ReferralEvent,
  eeaMessageWebhook,
  messageWebhook,
  reactionWebhook,
  readReceiptWebhook,
  referralWebhook,
} from './webhook-events';
import { WireShape, isNumericId, readWireShape } from './wire-shape';

export type { WebhookDispatch } from './event-dispatch';

export interface CreatedMessage {
  conversationId: string;
  messageId: string;
  webhook: WebhookDispatch;
  /** The events sent for it: `im_receive_msg`, `im_receive_msg_eu`, or both. */
  events: string[];
  /** An image's or video's media id (fetch it with media/download). */
  mediaId?: string;
  /** A sticker's or emoji's URL. */
  url?: string;
}

export interface CreatedEvent {
  conversationId: string;
  eventId: string;
  event: string;
  webhook: WebhookDispatch;
}

type Delivery = 'normal' | 'eea' | 'both';

/**
 * The TikTok people's side of the control API: every kind of message a person sends, reactions,
 * read receipts, referrals, and EEA residency. Each call can vary the wire shape (`wire`) the way
 * real TikTok does. Not part of TikTok's API.
 */
@Controller('sandbox')
export class InboundControlController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly inbound: InboundState,
    private readonly delivery: WebhookDelivery,
    private readonly samples: SampleMedia,
  ) {}

  /** A TikTok person writes to a business; the first message opens the conversation. */
  @Post('messages')
  userWrites(@Body() body: unknown): CreatedMessage {
    const params = asParams(body);
    const user = this.user(field(params, 'fromUserId'));
    const business = this.businessAccount(field(params, 'toBusinessId'));
    const wire = readWireShape(params.wire);
    this.checkNumericIds(wire, user);
    const deliver =
      optionalChoice<Delivery>(params, 'deliver', ['normal', 'eea', 'both']) ??
      (user.eea ? 'eea' : 'normal');
    const timestamp = optionalNumber(params, 'timestamp');

    // Validate everything before the conversation opens: a refused call leaves nothing behind.
    const existing = this.state.conversationBetween(business.openId, user.userId);
    const draft = readInboundMessage(
      params,
      existing ?? { conversationId: '', businessId: '', userId: '', messages: [] },
      this.inbound,
    );
    const flags = readMessageFlags(params);
    const conversation = this.state.openConversation(business.openId, user.userId);
    const messageId = newMessageId(wire.ids === 'number');
    const media = draft.media
      ? this.inbound.addMedia({
          businessId: business.openId,
          conversationId: conversation.conversationId,
          messageId,
          kind: draft.media.kind,
          format: draft.media.format,
          size: draft.media.size ?? this.samples.bytes(draft.media.format).length,
          contentLength: draft.media.contentLength,
        })
      : undefined;
    const message = this.state.addMessage(conversation, 'user', draft.text, timestamp, {
      ...draft.item,
      ...(Object.keys(flags).length ? { inbound: { ...draft.item.inbound, ...flags } } : {}),
      messageId,
      ...(media ? { mediaId: media.mediaId } : {}),
    });

    const webhooks: PreparedWebhook[] = [];
    if (deliver !== 'eea') {
      webhooks.push(messageWebhook(this.config, business, user, message, 'API', wire));
    }
    if (deliver !== 'normal')
      webhooks.push(eeaMessageWebhook(this.config, business, message, wire));
    message.webhooks = webhooks;
    return {
      conversationId: conversation.conversationId,
      messageId: message.messageId,
      webhook: dispatchWebhooks(this.delivery, business, webhooks),
      events: webhooks.map((webhook) => webhook.event),
      ...(media ? { mediaId: media.mediaId } : {}),
      ...(message.inbound?.url ? { url: message.inbound.url } : {}),
    };
  }

  /** The person adds (or removes) a reaction on a message of the conversation. */
  @Post('reactions')
  @HttpCode(201)
  react(@Body() body: unknown): CreatedEvent {
    const params = asParams(body);
    const target = this.message(field(params, 'messageId'));
    const { conversation, business, user } = this.parties(target.conversationId);
    const wire = readWireShape(params.wire);
    this.checkNumericIds(wire, user);
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
    const { conversation, business, user } = this.parties(field(params, 'conversationId'));
    const wire = readWireShape(params.wire);
    const by = optionalChoice(params, 'by', ['user', 'business']) ?? 'user';
    if (by === 'user') this.checkNumericIds(wire, user);
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
    const user = this.user(field(params, 'fromUserId'));
    const business = this.businessAccount(field(params, 'toBusinessId'));
    const wire = readWireShape(params.wire);
    this.checkNumericIds(wire, user);
    const source = optionalChoice(params, 'source', ['ad', 'short_link']) ?? 'ad';
    const conversation = this.state.openConversation(business.openId, user.userId);
    const referral: ReferralEvent = {
      eventId: newId.event('referral'),
      conversationId: conversation.conversationId,
      source,
      ...(source === 'ad'
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
          }),
      timestamp: optionalNumber(params, 'timestamp') ?? this.state.now(),
    };
    this.inbound.record(this.inbound.referrals, conversation.conversationId, referral);
    const webhook = referralWebhook(this.config, business, user, referral, wire);
    return this.publishEvent(business, conversation, referral.eventId, [webhook]);
  }

  /** Marks a person as living in the EEA, Switzerland or the UK (or not). */
  @Post('users/:userId/region')
  @HttpCode(200)
  setRegion(
    @Param('userId') userId: string,
    @Body() body: unknown,
  ): { userId: string; eea: boolean } {
    const user = this.user(userId);
    const eea = optionalBoolean(asParams(body), 'eea');
    if (eea === undefined) throw new BadRequestException('eea must be a boolean');
    user.eea = eea;
    return { userId, eea };
  }

  /** Which name conversation/list gives the update time: `update_time`, `up_time` or both. */
  @Post('conversation-list')
  @HttpCode(200)
  setConversationList(@Body() body: unknown): { timeField: ConversationTimeField } {
    const timeField = optionalChoice<ConversationTimeField>(asParams(body), 'timeField', [
      'update_time',
      'up_time',
      'both',
    ]);
    if (!timeField) throw new BadRequestException('timeField is required');
    this.inbound.conversationTimeField = timeField;
    return { timeField };
  }

  @Get('conversations/:conversationId/reactions')
  reactions(@Param('conversationId') conversationId: string): ReactionEvent[] {
    return this.inbound.reactions.get(this.conversation(conversationId).conversationId) ?? [];
  }

  @Get('conversations/:conversationId/read-receipts')
  readReceipts(@Param('conversationId') conversationId: string): ReadReceiptEvent[] {
    return this.inbound.readReceipts.get(this.conversation(conversationId).conversationId) ?? [];
  }

  @Get('conversations/:conversationId/referrals')
  referrals(@Param('conversationId') conversationId: string): ReferralEvent[] {
    return this.inbound.referrals.get(this.conversation(conversationId).conversationId) ?? [];
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

  /** Ids as JSON numbers need a person whose id is all digits (`numericId` at creation). */
  private checkNumericIds(wire: WireShape, user: TikTokUser): void {
    if (wire.ids === 'number' && !isNumericId(user.userId)) {
      throw new BadRequestException(
        `wire.ids "number" needs a person with an all-digit id: create ${user.username} with POST /sandbox/users { numericId: true } (or use another username)`,
      );
    }
  }

  private user(userId: string): TikTokUser {
    const user = this.state.users.get(userId);
    if (!user)
      throw new BadRequestException(`${userId} is not a user created with POST /sandbox/users`);
    return user;
  }

  private message(messageId: string): StoredMessage {
    const message = this.state.messages.get(messageId);
    if (!message) throw new NotFoundException(`no message ${messageId}`);
    return message;
  }

  private conversation(conversationId: string): Conversation {
    const conversation = this.state.conversations.get(conversationId);
    if (!conversation) throw new NotFoundException(`no conversation ${conversationId}`);
    return conversation;
  }

  private parties(conversationId: string) {
    const conversation = this.conversation(conversationId);
    const business = this.businessAccount(conversation.businessId);
    const user = this.user(conversation.userId);
    return { conversation, business, user };
  }

  private businessAccount(openId: string): Account {
    const account = this.state.accounts.get(openId);
    if (!account)
      throw new BadRequestException(
        `no account ${openId}: connect it through the consent page first`,
      );
    if (account.accountType !== 'business') {
      throw new BadRequestException(
        `${openId} is a personal account: it cannot receive business messages`,
      );
    }
    return account;
  }
}
