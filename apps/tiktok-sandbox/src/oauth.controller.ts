import { Body, Controller, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';
import { EmptyData, Envelope, ErrorCode, TikTokApiError, ok } from './envelope';
import { EnvelopeErrorFilter } from './envelope-error.filter';
import { SandboxConfig } from './options';
import { Params, asParams, requiredString } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { AccessTokenRecord, RefreshTokenRecord, SandboxState } from './sandbox-state';
import { SandboxStats } from './stats';

export interface TokenData {
  access_token: string;
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  open_id: string;
}

export interface TokenInfoData {
  app_id: string;
  scope: string;
  creator_id: string;
}

/** The server side of OAuth ("tt_user"): exchanging codes, rotating and revoking tokens. */
@Controller('open_api/v1.3/tt_user')
@UseFilters(EnvelopeErrorFilter)
export class OAuthController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
    private readonly stats: SandboxStats,
  ) {}

  @Post('oauth2/token')
  @HttpCode(200)
  exchangeCode(@Body() body: unknown): Envelope<TokenData> {
    const params = asParams(body);
    this.checkClient(params);
    this.checkGrantType(params, 'authorization_code');
    const authCode = requiredString(
      params,
      'auth_code',
      params.code !== undefined ? ' (the token call names it auth_code, not code)' : '',
    );
    const redirectUri = requiredString(params, 'redirect_uri');

    const record = this.state.authCodes.get(authCode);
    if (!record) throw new TikTokApiError(ErrorCode.authCodeInvalid, 'The auth_code is invalid.');
    if (record.used) {
      throw new TikTokApiError(ErrorCode.authCodeInvalid, 'The auth_code has already been used.');
    }
    if (record.expiresAt <= this.state.now()) {
      throw new TikTokApiError(ErrorCode.authCodeInvalid, 'The auth_code has expired.');
    }
    if (record.redirectUri !== redirectUri) {
      throw new TikTokApiError(
        ErrorCode.authCodeInvalid,
        'redirect_uri does not match the one of the authorize request.',
      );
    }
    record.used = true;
    const tokens = this.state.issueTokens(record.openId, record.scopes, this.ttl());
    this.stats.countOperation('tokenExchanges');
    return ok(this.tokenData(tokens.access, tokens.refresh));
  }

  @Post('oauth2/refresh_token')
  @HttpCode(200)
  refresh(@Body() body: unknown): Envelope<TokenData> {
    const params = asParams(body);
    this.checkClient(params);
    this.checkGrantType(params, 'refresh_token');
    const token = requiredString(params, 'refresh_token');

    const record = this.state.refreshTokens.get(token);
    if (!record || record.status === 'revoked') {
      throw new TikTokApiError(ErrorCode.refreshTokenInvalid);
    }
    // Rotation makes a refresh token single-use: a second use means two refreshes raced.
    if (record.status === 'used') {
      throw new TikTokApiError(
        ErrorCode.refreshTokenInvalid,
        'Refresh token is invalid: it has already been used.',
      );
    }
    if (record.expiresAt <= this.state.now()) {
      throw new TikTokApiError(ErrorCode.refreshTokenExpired);
    }
    record.status = 'used';
    const tokens = this.state.issueTokens(record.openId, record.scopes, this.ttl());
    this.stats.countRefresh(record.openId);
    return ok(this.tokenData(tokens.access, tokens.refresh));
  }

  @Post('oauth2/revoke')
  @HttpCode(200)
  revoke(@Body() body: unknown): Envelope<EmptyData> {
    const params = asParams(body);
    this.checkClient(params);
    const token = requiredString(params, 'access_token');
    const record = this.state.accessTokens.get(token);
    if (!record) throw new TikTokApiError(ErrorCode.accessTokenInvalid);
    this.state.revokeAccount(record.openId);
    this.stats.countRevoke(record.openId);
    return ok({});
  }

  @Post('token_info/get')
  @HttpCode(200)
  tokenInfo(@Body() body: unknown): Envelope<TokenInfoData> {
    const params = asParams(body);
    if (requiredString(params, 'app_id') !== this.config.appId) {
      throw new TikTokApiError(ErrorCode.noPermission, 'app_id is invalid.');
    }
    const record = this.state.accessTokens.get(requiredString(params, 'access_token'));
    if (!record || record.revoked) throw new TikTokApiError(ErrorCode.accessTokenInvalid);
    if (record.expiresAt <= this.state.now()) {
      throw new TikTokApiError(ErrorCode.accessTokenExpired);
    }
    return ok({
      app_id: this.config.appId,
      scope: record.scopes.join(','),
      creator_id: record.openId,
    });
  }

  private checkClient(params: Params): void {
    if (params.client_id !== this.config.appId || params.client_secret !== this.config.appSecret) {
      throw new TikTokApiError(ErrorCode.noPermission, 'client_id or client_secret is invalid.');
    }
  }

  private checkGrantType(params: Params, expected: string): void {
    if (params.grant_type !== expected) {
      throw new TikTokApiError(ErrorCode.invalidParameter, `grant_type must be "${expected}".`);
    }
  }

  private ttl(): { accessSeconds: number; refreshSeconds: number } {
    return (
      this.state.tokenLifetimes ?? {
        accessSeconds: this.config.accessTokenTtlSeconds,
        refreshSeconds: this.config.refreshTokenTtlSeconds,
      }
    );
  }

  private tokenData(access: AccessTokenRecord, refresh: RefreshTokenRecord): TokenData {
    const now = this.state.now();
    return {
      access_token: access.token,
      token_type: 'Bearer',
      scope: access.scopes.join(','),
      expires_in: Math.round((access.expiresAt - now) / 1000),
      refresh_token: refresh.token,
      refresh_token_expires_in: Math.round((refresh.expiresAt - now) / 1000),
      open_id: access.openId,
    };
  }
}
