import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { Response } from 'express';
import { authenticate, TokenHeaders } from './access-token';
import { Envelope, ErrorCode, TikTokApiError, ok } from './envelope';
import { EnvelopeErrorFilter } from './envelope-error.filter';
import { ANSWERED_EVENT } from './lost-answer';
import { MAX_TEXT_LENGTH, characterCount, messagingRuleProblem } from './messaging-rules';
import { MEDIA_TTL_MS, OutboundState } from './outbound-state';
import { RateLimits } from './rate-limits';
import { SandboxConfig } from './options';
import { Params, asParams, invalid, optionalString, requiredString } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { Account, Conversation, MessageItem, SandboxState, StoredMessage } from './sandbox-state';
import { SandboxStats } from './stats';
import { WebhookDelivery } from './webhook-delivery';
import { InboundState } from './inbound-state';
import { eventBlock, messageWebhook } from './webhook-events';
import { DEFAULT_WIRE_SHAPE, WireWriter } from './wire-shape';

/** History answers use upper-case enums and string ids. */
const REST_WIRE = new WireWriter({ ...DEFAULT_WIRE_SHAPE, casing: 'rest' });

const CONTENT_LIST_SIZE = 20;

export interface SendMessageData {
  message: { message_id: string };
}

type ConversationType = 'STRANGER' | 'SINGLE';

export interface ConversationListData {
  /** The time is named `update_time` or `up_time` (or both), as `POST /sandbox/conversation-list` sets. */
  conversations: { conversation_id: string; update_time?: number; up_time?: number }[];
  has_more: boolean;
  cursor: string;
}

interface RestParticipant {
  id: string;
  role: 'PERSONAL_ACCOUNT' | 'BUSINESS_ACCOUNT';
  username: string;
  display_name: string;
}

/**
 * The typed block of a history message: `type` (upper case) and one block named after it, as in
 * webhooks (TEXT with `text`, IMAGE with `image`, VIDEO, STICKER, EMOJI, SHARE_POST, TEMPLATE).
 */
export type RestContent = { type: string } & Record<string, unknown>;

/** History messages use uppercase enums, unlike webhooks. */
export type RestMessage = RestContent & {
  message_id: string;
  conversation_id: string;
  timestamp: number;
  from: string;
  to: string;
  from_user: { id: string; role: RestParticipant['role'] };
  to_user: { id: string; role: RestParticipant['role'] };
};

export interface ContentListData {
  messages: RestMessage[];
  participants: RestParticipant[];
}

/** Runs `work` once the HTTP answer has left, whether or not the client waits for it. */
function afterResponse(response: Response, work: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    work();
  };
  response.once('finish', once);
  response.once('close', once);
  // A fault that loses the answer still means the call was carried out.
  response.once(ANSWERED_EVENT, once);
}

/** The Business Messaging API: replies into conversations the person opened. */
@Controller('open_api/v1.3/business/message')
@UseFilters(EnvelopeErrorFilter)
export class MessagingController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
    private readonly delivery: WebhookDelivery,
    private readonly outbound: OutboundState,
    private readonly rateLimits: RateLimits,
    private readonly inbound: InboundState,
  ) {}

  @Post('send')
  @HttpCode(200)
  send(
    @Body() body: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
    @Res({ passthrough: true }) response: Response,
  ): Envelope<SendMessageData> {
    const params = asParams(body);
    const businessId = optionalString(params, 'business_id');
    const business = authenticate(this.state, tokenHeaders, businessId, 'message.list.send');
    if (business.accountType !== 'business') {
      throw new TikTokApiError(
        ErrorCode.noPermission,
        'Business Messaging is only available to business accounts.',
      );
    }
    this.rateLimits.take(business.openId);
    if (requiredString(params, 'recipient_type') !== 'CONVERSATION') {
      throw invalid('recipient_type', 'it must be CONVERSATION.');
    }
    const conversation = this.findConversation(business, params, 'recipient');
    const messageType = requiredString(params, 'message_type');

    if (messageType === 'SENDER_ACTION') {
      const action = params.sender_action;
      if (action !== 'TYPING' && action !== 'MARK_READ') {
        throw invalid('sender_action', 'it must be TYPING or MARK_READ.');
      }
      this.outbound.recordSenderAction(conversation.conversationId, action);
      this.stats.countOperation('sends');
      this.stats.countSendType(messageType);
      // Sender actions are not messages: TikTok answers without a message id.
      return ok({ message: { message_id: '' } });
    }

    const item = this.readItem(business, conversation, messageType, params);
    const problem = messagingRuleProblem(
      conversation.messages,
      this.state.now(),
      this.config.messagingCaps,
    );
    if (problem) throw new TikTokApiError(ErrorCode.messagingRuleBlocked, problem);

    const message = this.state.addMessage(
      conversation,
      'business',
      item.text,
      this.state.now(),
      item.item,
    );
    const user = this.state.users.get(conversation.userId);
    if (user) {
      const webhook = messageWebhook(this.config, business, user, message, 'API');
      message.webhooks = [webhook];
      // TikTok's echo never arrives before the send's own answer here; clients must still cope
      // with either order, but the sandbox keeps this one deterministic.
      afterResponse(response, () => this.delivery.deliver(webhook));
    }
    this.stats.countOperation('sends');
    this.stats.countSendType(messageType);
    return ok({ message: { message_id: message.messageId } });
  }

  @Get('conversation/list')
  listConversations(
    @Query() query: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<ConversationListData> {
    const params = asParams(query);
    const businessId = optionalString(params, 'business_id');
    const business = authenticate(this.state, tokenHeaders, businessId, 'message.list.read');
    this.rateLimits.take(business.openId);
    const type = requiredString(params, 'conversation_type');
    if (type !== 'STRANGER' && type !== 'SINGLE') {
      throw invalid('conversation_type', 'it must be STRANGER or SINGLE.');
    }
    const limit = Number(optionalString(params, 'limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalid('limit', 'it must be an integer from 1 to 100.');
    }
    const offset = Number(optionalString(params, 'cursor') ?? '0');
    if (!Number.isInteger(offset) || offset < 0) throw invalid('cursor', 'unknown cursor.');

    const timeField = this.inbound.conversationTimeField;
    const matching = [...this.state.conversations.values()]
      .filter((conversation) => conversation.businessId === businessId)
      .filter((conversation) => this.conversationType(conversation) === type)
      .map((conversation) => ({
        conversation_id: conversation.conversationId,
        time: Math.max(0, ...conversation.messages.map((message) => message.timestamp)),
      }))
      .sort((a, b) => b.time - a.time);
    const page = matching.slice(offset, offset + limit);
    return ok({
      conversations: page.map(({ conversation_id, time }) => ({
        conversation_id,
        ...(timeField !== 'up_time' ? { update_time: time } : {}),
        ...(timeField !== 'update_time' ? { up_time: time } : {}),
      })),
      has_more: offset + limit < matching.length,
      cursor: String(offset + page.length),
    });
  }

  @Get('content/list')
  listContent(
    @Query() query: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<ContentListData> {
    const params = asParams(query);
    const businessId = optionalString(params, 'business_id');
    const business = authenticate(this.state, tokenHeaders, businessId, 'message.list.read');
    this.rateLimits.take(business.openId);
    const conversation = this.findConversation(business, params, 'conversation_id');
    const user = this.state.users.get(conversation.userId);
    if (!user) throw new TikTokApiError(ErrorCode.notFound);

    const person: RestParticipant = {
      id: user.userId,
      role: 'PERSONAL_ACCOUNT',
      username: user.username,
      display_name: user.displayName,
    };
    const company: RestParticipant = {
      id: business.openId,
      role: 'BUSINESS_ACCOUNT',
      username: business.username,
      display_name: business.displayName,
    };
    const toRest = (message: StoredMessage): RestMessage => {
      const [from, to] = message.from === 'user' ? [person, company] : [company, person];
      return {
        message_id: message.messageId,
        conversation_id: message.conversationId,
        timestamp: message.timestamp,
        ...this.restContent(message),
        from: from.username,
        to: to.username,
        from_user: { id: from.id, role: from.role },
        to_user: { id: to.id, role: to.role },
      };
    };
    // TikTok returns only the latest messages, newest first, with no way to page further back.
    const latest = conversation.messages.slice(-CONTENT_LIST_SIZE).reverse();
    return ok({ messages: latest.map(toRest), participants: [person, company] });
  }

  private restContent(message: StoredMessage): RestContent {
    if (message.type === 'share_post' && message.itemId && message.from === 'business') {
      const post = this.outbound.posts.get(message.itemId);
      return {
        type: 'SHARE_POST',
        share_post: {
          item_id: message.itemId,
          video_id: message.itemId,
          embed_url: post?.embedUrl ?? '',
        },
      };
    }
    // Everything else has the webhook's block, with REST's upper-case enums.
    return eventBlock(message, REST_WIRE) as RestContent;
  }

  private conversationType(conversation: Conversation): ConversationType {
    return conversation.messages.some((message) => message.from === 'business')
      ? 'SINGLE'
      : 'STRANGER';
  }

  /** Explains the usual client mistakes (a user id, an unencoded '+') in the error message. */
  private findConversation(business: Account, params: Params, name: string): Conversation {
    const id = requiredString(params, name);
    const conversation = this.state.conversations.get(id);
    if (conversation?.businessId === business.openId) return conversation;

    if (this.state.users.has(id)) {
      throw invalid(
        name,
        `${id} is a user id; send to the conversation_id of the user's conversation.`,
      );
    }
    const withPlus = this.state.conversations.get(id.replace(/ /g, '+'));
    if (id.includes(' ') && withPlus?.businessId === business.openId) {
      throw invalid(name, `no conversation ${id}: a '+' was decoded as a space; encode it as %2B.`);
    }
    throw invalid(name, `no conversation ${id} for this business_id.`);
  }

  /** The message's content under TikTok's rules for its type; throws 40002 naming the field. */
  private readItem(
    business: Account,
    conversation: Conversation,
    messageType: string,
    params: Params,
  ): { text: string; item: MessageItem } {
    const reference = params.referenced_message_info;
    if (reference !== undefined && messageType !== 'TEXT') {
      throw invalid('referenced_message_info', 'only a TEXT message can quote another.');
    }
    switch (messageType) {
      case 'TEXT': {
        const referencedMessageId =
          reference === undefined
            ? undefined
            : requiredString(asParams(reference), 'referenced_message_id');
        if (
          referencedMessageId !== undefined &&
          !conversation.messages.some((message) => message.messageId === referencedMessageId)
        ) {
          throw invalid(
            'referenced_message_info.referenced_message_id',
            `no message ${referencedMessageId} in this conversation.`,
          );
        }
        return {
          text: this.readText(params),
          item: { type: 'text', ...(referencedMessageId ? { referencedMessageId } : {}) },
        };
      }
      case 'IMAGE': {
        const mediaId = requiredString(asParams(params.image), 'media_id', ' (image.media_id)');
        const media = this.outbound.media.get(mediaId);
        if (
          !media ||
          media.businessId !== business.openId ||
          this.state.now() - media.uploadedAt > MEDIA_TTL_MS
        ) {
          throw invalid('image.media_id', `no uploaded image ${mediaId} for this business_id.`);
        }
        if (this.outbound.imageSendDisabled.has(conversation.userId)) {
          throw invalid('message_type', 'IMAGE messages are not available in this conversation.');
        }
        return { text: '', item: { type: 'image', mediaId } };
      }
      case 'SHARE_POST': {
        const itemId = requiredString(
          asParams(params.share_post),
          'item_id',
          ' (share_post.item_id)',
        );
        const post = this.outbound.posts.get(itemId);
        if (!post || post.businessId !== business.openId) {
          throw invalid('share_post.item_id', `${itemId} is not a post of this business.`);
        }
        return { text: '', item: { type: 'share_post', itemId } };
      }
      case 'TEMPLATE':
        throw invalid('message_type', 'TEMPLATE is not supported by the sandbox yet.');
      default:
        throw invalid('message_type', `unknown type ${messageType}.`);
    }
  }

  private readText(params: Params): string {
    const block = asParams(params.text);
    const text = block.body;
    if (typeof text !== 'string' || text.length === 0) {
      throw invalid(
        'text.body',
        'a TEXT message needs text: { body } with at least one character.',
      );
    }
    if (characterCount(text) > MAX_TEXT_LENGTH) {
      throw invalid('text.body', `it is longer than ${MAX_TEXT_LENGTH} characters.`);
    }
    return text;
  }
}
