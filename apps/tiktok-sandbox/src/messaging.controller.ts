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
import { MAX_TEXT_LENGTH, REPLY_WINDOW_MS, characterCount } from './messaging-rules';
import { SandboxConfig } from './options';
import { Params, asParams, invalid, optionalString, requiredString } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { Account, Conversation, SandboxState, StoredMessage } from './sandbox-state';
import { SandboxStats } from './stats';
import { WebhookDelivery } from './webhook-delivery';
import { messageWebhook } from './webhook-events';

const CONTENT_LIST_SIZE = 20;

export interface SendMessageData {
  message: { message_id: string };
}

type ConversationType = 'STRANGER' | 'SINGLE';

export interface ConversationListData {
  conversations: { conversation_id: string; update_time: number }[];
  has_more: boolean;
  cursor: string;
}

interface RestParticipant {
  id: string;
  role: 'PERSONAL_ACCOUNT' | 'BUSINESS_ACCOUNT';
  username: string;
  display_name: string;
}

/** History messages use uppercase enums, unlike webhooks. */
export interface RestMessage {
  message_id: string;
  conversation_id: string;
  timestamp: number;
  type: 'TEXT';
  text: { body: string };
  from: string;
  to: string;
  from_user: { id: string; role: RestParticipant['role'] };
  to_user: { id: string; role: RestParticipant['role'] };
}

export interface ContentListData {
  messages: RestMessage[];
  participants: RestParticipant[];
}

const UNSUPPORTED_TYPES = ['IMAGE', 'SHARE_POST', 'SENDER_ACTION', 'TEMPLATE'];

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
    if (requiredString(params, 'recipient_type') !== 'CONVERSATION') {
      throw invalid('recipient_type', 'it must be CONVERSATION.');
    }
    const conversation = this.findConversation(business, params, 'recipient');
    const text = this.readText(params);

    const lastFromUser = this.state.lastUserMessageAt(conversation) ?? 0;
    if (this.state.now() - lastFromUser > REPLY_WINDOW_MS) {
      throw new TikTokApiError(
        ErrorCode.messagingRuleBlocked,
        'The message was blocked: more than 48 hours have passed since the user last wrote.',
      );
    }

    const message = this.state.addMessage(conversation, 'business', text);
    const user = this.state.users.get(conversation.userId);
    if (user) {
      const webhook = messageWebhook(this.config, business, user, message, 'API');
      message.webhook = webhook;
      // TikTok's echo never arrives before the send's own answer here; clients must still cope
      // with either order, but the sandbox keeps this one deterministic.
      afterResponse(response, () => this.delivery.deliver(webhook));
    }
    this.stats.countOperation('sends');
    return ok({ message: { message_id: message.messageId } });
  }

  @Get('conversation/list')
  listConversations(
    @Query() query: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<ConversationListData> {
    const params = asParams(query);
    const businessId = optionalString(params, 'business_id');
    authenticate(this.state, tokenHeaders, businessId, 'message.list.read');
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

    const matching = [...this.state.conversations.values()]
      .filter((conversation) => conversation.businessId === businessId)
      .filter((conversation) => this.conversationType(conversation) === type)
      .map((conversation) => ({
        conversation_id: conversation.conversationId,
        update_time: Math.max(0, ...conversation.messages.map((message) => message.timestamp)),
      }))
      .sort((a, b) => b.update_time - a.update_time);
    const page = matching.slice(offset, offset + limit);
    return ok({
      conversations: page,
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
        type: 'TEXT',
        text: { body: message.text },
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

  private readText(params: Params): string {
    const messageType = requiredString(params, 'message_type');
    if (UNSUPPORTED_TYPES.includes(messageType)) {
      throw invalid(
        'message_type',
        `${messageType} is not supported by the sandbox yet; send TEXT.`,
      );
    }
    if (messageType !== 'TEXT') throw invalid('message_type', `unknown type ${messageType}.`);
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
