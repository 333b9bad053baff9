import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseFilters } from '@nestjs/common';
import { authenticate, TokenHeaders } from './access-token';
import { EmptyData, Envelope, ErrorCode, TikTokApiError, ok } from './envelope';
import { EnvelopeErrorFilter } from './envelope-error.filter';
import { SandboxConfig } from './options';
import { Params, asParams, invalid, optionalString, requiredString } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';

export interface BusinessProfileData {
  username: string;
  display_name: string;
  profile_image: string;
  /** The sandbox's clear business/personal flag (accounts approved as "personal" say false); only with user.account.type. */
  is_business_account?: boolean;
}

export interface WebhookConfigData {
  app_id: string;
  event_type: 'DIRECT_MESSAGE';
  /** Empty when no callback is registered. */
  callback_url: string;
}

const PROFILE_SCOPE = 'user.info.basic';
const ACCOUNT_TYPE_SCOPE = 'user.account.type';

/** Account profile and the app's webhook subscription. */
@Controller('open_api/v1.3/business')
@UseFilters(EnvelopeErrorFilter)
export class BusinessApiController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
  ) {}

  @Get('get')
  profile(
    @Query() query: unknown,
    @TokenHeaders() tokenHeaders: TokenHeaders,
  ): Envelope<BusinessProfileData> {
    const params = asParams(query);
    const businessId = optionalString(params, 'business_id');
    const account = authenticate(this.state, tokenHeaders, businessId, PROFILE_SCOPE);
    this.checkFields(optionalString(params, 'fields'));
    this.stats.countOperation('profileReads');
    const scopes = this.state.accessTokens.get(tokenHeaders.accessToken?.trim() ?? '')?.scopes;
    return ok({
      username: account.username,
      display_name: account.displayName,
      profile_image: `${this.state.baseUrl}/sandbox/avatars/${account.openId}.svg`,
      // The account type is only told to apps granted user.account.type.
      ...(scopes?.includes(ACCOUNT_TYPE_SCOPE)
        ? { is_business_account: account.accountType === 'business' }
        : {}),
    });
  }

  @Post('webhook/update')
  @HttpCode(200)
  updateWebhook(@Body() body: unknown): Envelope<WebhookConfigData> {
    const params = asParams(body);
    this.checkApp(params);
    const callbackUrl = requiredString(params, 'callback_url');
    let parsed: URL;
    try {
      parsed = new URL(callbackUrl);
    } catch {
      throw invalid('callback_url', 'it must be an absolute URL.');
    }
    // TikTok insists on https; the sandbox also accepts http to reach a local receiver.
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw invalid('callback_url', 'it must be an http(s) URL.');
    }
    this.state.callbackUrl = callbackUrl;
    return ok(this.webhookConfig());
  }

  @Get('webhook/list')
  listWebhook(@Query() query: unknown): Envelope<WebhookConfigData> {
    this.checkApp(asParams(query));
    return ok(this.webhookConfig());
  }

  @Post('webhook/delete')
  @HttpCode(200)
  deleteWebhook(@Body() body: unknown): Envelope<EmptyData> {
    this.checkApp(asParams(body));
    this.state.callbackUrl = undefined;
    return ok({});
  }

  private checkApp(params: Params): void {
    if (params.app_id !== this.config.appId || params.secret !== this.config.appSecret) {
      throw new TikTokApiError(ErrorCode.noPermission, 'app_id or secret is invalid.');
    }
    if (requiredString(params, 'event_type') !== 'DIRECT_MESSAGE') {
      throw invalid('event_type', 'only DIRECT_MESSAGE is supported.');
    }
  }

  private webhookConfig(): WebhookConfigData {
    return {
      app_id: this.config.appId,
      event_type: 'DIRECT_MESSAGE',
      callback_url: this.state.callbackUrl ?? '',
    };
  }

  /** `fields` is a JSON array in the query string; a bare list is a client mistake. */
  private checkFields(fields: string | undefined): void {
    if (fields === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fields);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((field) => typeof field === 'string')) {
      throw invalid('fields', 'it must be a JSON array of field names, e.g. ["username"].');
    }
  }
}
