import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { FaultBook } from './faults';
import { field, messageText, optionalBoolean, optionalNumber } from './control-fields';
import { WebhookDispatch, dispatchWebhooks } from './event-dispatch';
import { newId } from './ids';
import { readMessageFlags } from './inbound-message-builder';
import { InboundState } from './inbound-state';
import { SandboxConfig } from './options';
import { asParams } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import {
  Account,
  Conversation,
  SandboxState,
  StoredMessage,
  StoredMessageType,
  usernameProblem,
} from './sandbox-state';
import { Slowdowns } from './slowdowns';
import { SandboxStats, StatsSnapshot } from './stats';
import { WebhookDelivery } from './webhook-delivery';
import { messageWebhook } from './webhook-events';
import { WireShape, readWireShape } from './wire-shape';

export interface ConversationMessageView {
  messageId: string;
  from: 'user' | 'business';
  /** `text`, `image`, `video`, `sticker`, `emoji`, `share_post`, `template`, or another type. */
  type: StoredMessageType;
  /** Empty for items that are not texts. */
  text: string;
  timestamp: number;
  /** An image's or a video's media: its bytes are at `GET /sandbox/media/:mediaId`. */
  mediaId?: string;
  /** A shared post's item (video) id. */
  itemId?: string;
  /** The message a quote reply answers. */
  referencedMessageId?: string;
  /** A sticker's or emoji's URL. */
  url?: string;
}

export interface SeededGrant {
  businessId: string;
  username: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshTokenExpiresIn: number;
  scopes: string[];
}

/** What a full consent grants: every scope the channel asks for. */
const SEEDED_SCOPES = [
  'user.info.basic',
  'user.info.username',
  'user.info.profile',
  'user.info.stats',
  'user.account.type',
  'video.list',
  'message.list.read',
  'message.list.send',
  'message.list.manage',
];

export interface CreatedBusinessMessage {
  conversationId: string;
  messageId: string;
  webhook: WebhookDispatch;
}

/**
 * The side door for tests, the demo and benchmarks: plays the TikTok people (consent, writing
 * messages), and inspects or disturbs the sandbox. Not part of TikTok's API.
 */
@Controller('sandbox')
export class ControlController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
    private readonly faults: FaultBook,
    private readonly slowdowns: Slowdowns,
    private readonly delivery: WebhookDelivery,
    private readonly inbound: InboundState,
  ) {}

  @Post('consent')
  @HttpCode(200)
  queueConsent(@Body() body: unknown): { pending: number } {
    const params = asParams(body);
    const decision = params.decision;
    if (decision !== 'approve' && decision !== 'deny') {
      throw new BadRequestException('decision must be "approve" or "deny"');
    }
    const accountType = params.accountType ?? 'business';
    if (accountType !== 'business' && accountType !== 'personal') {
      throw new BadRequestException('accountType must be "business" or "personal"');
    }
    const username =
      decision === 'approve' ? field(params, 'username') : String(params.username ?? '');
    const problem = decision === 'approve' ? usernameProblem(username) : undefined;
    if (problem) throw new BadRequestException(problem);
    const displayName = typeof params.displayName === 'string' ? params.displayName : undefined;
    const scopes = params.scopes;
    if (
      scopes !== undefined &&
      !(Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string'))
    ) {
      throw new BadRequestException('scopes must be a list of scope names');
    }
    this.state.consentQueue.push({
      username,
      displayName,
      accountType,
      decision,
      ...(scopes ? { scopes: scopes as string[] } : {}),
    });
    return { pending: this.state.consentQueue.length };
  }

  @Post('users')
  createUser(@Body() body: unknown): { userId: string } {
    const params = asParams(body);
    const username = field(params, 'username');
    const problem = usernameProblem(username);
    if (problem) throw new BadRequestException(problem);
    const displayName = typeof params.displayName === 'string' ? params.displayName : username;
    const numericId = optionalBoolean(params, 'numericId') ?? false;
    const eea = optionalBoolean(params, 'eea');
    const user = this.state.createUser(username, displayName, numericId);
    if (numericId !== /^\d+$/.test(user.userId)) {
      throw new ConflictException(
        `${username} already exists with the id ${user.userId}: numericId cannot change it; use another username`,
      );
    }
    if (eea !== undefined) user.eea = eea;
    return { userId: user.userId };
  }

  /** The business answers from the TikTok app itself: the app only learns of it by im_send_msg. */
  @Post('business-messages')
  businessWritesInApp(@Body() body: unknown): CreatedBusinessMessage {
    const params = asParams(body);
    const conversation = this.conversation(field(params, 'conversationId'));
    const business = this.businessAccount(conversation.businessId);
    const wire = readWireShape(params.wire);
    const text = messageText(params);
    const message = this.state.addMessage(
      conversation,
      'business',
      text,
      optionalNumber(params, 'timestamp'),
      {
        type: 'text',
        ...(wire.ids === 'number' ? { messageId: newId.numericMessage() } : {}),
        inbound: readMessageFlags(params),
      },
    );
    return this.publish(business, conversation, message, wire);
  }

  @Post('webhooks/redeliver')
  @HttpCode(202)
  redeliver(@Body() body: unknown): { messageId: string; event: string; events: string[] } {
    // A message's id, or the eventId of a reaction, read receipt or referral.
    const messageId = field(asParams(body), 'messageId');
    const webhooks =
      this.state.messages.get(messageId)?.webhooks ?? this.inbound.eventWebhooks.get(messageId);
    if (!webhooks?.length) {
      throw new NotFoundException(`no webhook was prepared for message ${messageId}`);
    }
    if (!this.state.callbackUrl) {
      throw new ConflictException(
        'no callback is registered: POST /business/webhook/update/ first',
      );
    }
    for (const webhook of webhooks) this.delivery.deliver(webhook);
    return { messageId, event: webhooks[0].event, events: webhooks.map((item) => item.event) };
  }

  @Get('conversations/:conversationId/messages')
  conversationMessages(@Param('conversationId') conversationId: string): ConversationMessageView[] {
    return this.conversation(conversationId).messages.map((message) => ({
      messageId: message.messageId,
      from: message.from,
      type: message.type,
      text: message.text,
      timestamp: message.timestamp,
      ...(message.mediaId ? { mediaId: message.mediaId } : {}),
      ...(message.itemId ? { itemId: message.itemId } : {}),
      ...(message.referencedMessageId ? { referencedMessageId: message.referencedMessageId } : {}),
      ...(message.inbound?.url ? { url: message.inbound.url } : {}),
    }));
  }

  @Get('stats')
  readStats(): StatsSnapshot {
    return this.stats.snapshot();
  }

  @Post('faults')
  @HttpCode(200)
  planFault(@Body() body: unknown): { path: string; remaining: number } {
    const params = asParams(body);
    const path = field(params, 'path');
    if (!path.endsWith('/'))
      throw new BadRequestException('path must end in "/", like TikTok paths');
    const code = optionalNumber(params, 'code');
    const httpStatus = optionalNumber(params, 'httpStatus');
    const afterAccept = params.afterAccept;
    if (afterAccept !== undefined && afterAccept !== 'timeout' && afterAccept !== 'reset') {
      throw new BadRequestException('afterAccept must be "timeout" or "reset"');
    }
    const given = [code, httpStatus, afterAccept].filter((value) => value !== undefined).length;
    if (given !== 1) {
      throw new BadRequestException(
        'give either code (an envelope error), httpStatus, or afterAccept ("timeout" | "reset": the call is carried out and its answer lost)',
      );
    }
    const times = optionalNumber(params, 'times') ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new BadRequestException('times must be a positive integer');
    }
    const message = typeof params.message === 'string' ? params.message : undefined;
    this.faults.plan(path, { code, httpStatus, afterAccept, message, times });
    return { path: FaultBook.normalizePath(path), remaining: times };
  }

  /**
   * Connected Business accounts with live tokens, without the consent page: seeds the many accounts
   * that token sweeps and benchmarks need. The tokens are what the token endpoint would answer.
   */
  @Post('grants')
  @HttpCode(201)
  issueGrants(@Body() body: unknown): { grants: SeededGrant[] } {
    const params = asParams(body);
    const usernames = params.usernames;
    if (
      !Array.isArray(usernames) ||
      usernames.length === 0 ||
      usernames.length > 10_000 ||
      !usernames.every((name): name is string => typeof name === 'string')
    ) {
      throw new BadRequestException('usernames must be a list of 1 to 10000 usernames');
    }
    const problem = usernames.map(usernameProblem).find(Boolean);
    if (problem) throw new BadRequestException(problem);
    const scopes =
      Array.isArray(params.scopes) && params.scopes.every((s) => typeof s === 'string')
        ? (params.scopes as string[])
        : SEEDED_SCOPES;
    const ttl = this.state.tokenLifetimes ?? {
      accessSeconds: this.config.accessTokenTtlSeconds,
      refreshSeconds: this.config.refreshTokenTtlSeconds,
    };
    const grants = usernames.map((username) => {
      const account = this.state.approveAccount(username, 'business');
      const { access, refresh } = this.state.issueTokens(account.openId, scopes, ttl);
      return {
        businessId: account.openId,
        username,
        accessToken: access.token,
        refreshToken: refresh.token,
        expiresIn: ttl.accessSeconds,
        refreshTokenExpiresIn: ttl.refreshSeconds,
        scopes,
      };
    });
    return { grants };
  }

  /** Every later call of a Business API path waits `ms` before it is answered (0 clears). */
  @Post('latency')
  @HttpCode(200)
  setLatency(@Body() body: unknown): { path: string; ms: number } {
    const params = asParams(body);
    const path = field(params, 'path');
    const ms = optionalNumber(params, 'ms') ?? 0;
    if (ms < 0 || ms > 120_000) throw new BadRequestException('ms must be 0 to 120000');
    this.slowdowns.setLatency(path, ms);
    return { path: FaultBook.normalizePath(path), ms };
  }

  /**
   * The next `count` calls of the path (all of them without a count) wait, unanswered, until
   * `POST /sandbox/holds/release` for it.
   */
  @Post('holds')
  @HttpCode(200)
  hold(@Body() body: unknown): Record<string, number> {
    const params = asParams(body);
    const count = optionalNumber(params, 'count');
    if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
      throw new BadRequestException('count must be a positive integer');
    }
    this.slowdowns.hold(field(params, 'path'), count);
    return this.slowdowns.waiting();
  }

  @Post('holds/release')
  @HttpCode(200)
  releaseHold(@Body() body: unknown): { released: number } {
    return { released: this.slowdowns.release(field(asParams(body), 'path')) };
  }

  /** How many calls each held path keeps waiting: `{ "/tt_user/oauth2/refresh_token/": 4 }`. */
  @Get('holds')
  holds(): Record<string, number> {
    return this.slowdowns.waiting();
  }

  @Post('tokens/expire')
  @HttpCode(200)
  expireTokens(@Body() body: unknown): { expired: number } {
    const params = asParams(body);
    const businessId = field(params, 'businessId');
    if (!this.state.accounts.has(businessId))
      throw new NotFoundException(`no account ${businessId}`);
    const which = params.which ?? 'access';
    if (which !== 'access' && which !== 'refresh' && which !== 'both') {
      throw new BadRequestException('which must be "access", "refresh" or "both"');
    }
    return {
      expired: this.state.expireTokens(businessId, {
        access: which !== 'refresh',
        refresh: which !== 'access',
      }),
    };
  }

  @Post('reset')
  @HttpCode(200)
  reset(): Record<string, never> {
    this.delivery.cancelAll();
    this.state.reset();
    this.stats.reset();
    this.faults.reset();
    this.slowdowns.reset();
    this.config.log('reset');
    return {};
  }

  /** Stands in for TikTok's CDN so the profile_image of /business/get/ loads. */
  @Get('avatars/:file')
  @Header('Content-Type', 'image/svg+xml')
  avatar(@Param('file') file: string): string {
    const account = this.state.accounts.get(file.replace(/\.svg$/, ''));
    if (!account) throw new NotFoundException();
    const initial = (account.displayName[0] ?? '?').toUpperCase().replace(/[<&>]/g, '?');
    const hue = [...account.openId].reduce((sum, char) => sum + char.charCodeAt(0), 0) % 360;
    return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="hsl(${hue} 60% 45%)"/><text x="48" y="62" font-size="44" font-family="sans-serif" text-anchor="middle" fill="#fff">${initial}</text></svg>`;
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

  private conversation(conversationId: string): Conversation {
    const conversation = this.state.conversations.get(conversationId);
    if (!conversation) throw new NotFoundException(`no conversation ${conversationId}`);
    return conversation;
  }

  /** A reply typed in the TikTok app: `im_send_msg` tagged `message_tag.source = "APP"`. */
  private publish(
    business: Account,
    conversation: Conversation,
    message: StoredMessage,
    wire: WireShape,
  ): CreatedBusinessMessage {
    const user = this.state.users.get(conversation.userId);
    if (!user) throw new NotFoundException(`no user ${conversation.userId}`);
    message.webhooks = [messageWebhook(this.config, business, user, message, 'APP', wire)];
    return {
      conversationId: conversation.conversationId,
      messageId: message.messageId,
      webhook: dispatchWebhooks(this.delivery, business, message.webhooks),
    };
  }
}
