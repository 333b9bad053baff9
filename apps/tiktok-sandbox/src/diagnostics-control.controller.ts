import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Post,
} from '@nestjs/common';
import { SandboxConfig } from './options';
import { Params, asParams } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { Account, SandboxState, TokenLifetimes } from './sandbox-state';

const MAX_CLOCK_OFFSET_SECONDS = 7 * 24 * 3600;
const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

function seconds(params: Params, name: string, min: number, max: number): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new BadRequestException(`${name} must be a number of seconds from ${min} to ${max}`);
  }
  return value;
}

/**
 * What the channel's troubleshooting needs to provoke: TikTok's clock running off, grants that
 * lose a permission or run out soon, a Business account switched back to personal. Not part of
 * TikTok's API.
 */
@Controller('sandbox')
export class DiagnosticsControlController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
  ) {}

  /** TikTok's clock runs `offsetSeconds` ahead (negative: behind): timestamps, expiries, signatures, the Date header. */
  @Post('clock')
  @HttpCode(200)
  setClock(@Body() body: unknown): { offsetSeconds: number; now: string } {
    const offset = seconds(
      asParams(body),
      'offsetSeconds',
      -MAX_CLOCK_OFFSET_SECONDS,
      MAX_CLOCK_OFFSET_SECONDS,
    );
    if (offset === undefined) throw new BadRequestException('offsetSeconds is required');
    this.state.clockOffsetMs = Math.round(offset * 1000);
    return this.clock();
  }

  @Get('clock')
  clock(): { offsetSeconds: number; now: string } {
    return {
      offsetSeconds: this.state.clockOffsetMs / 1000,
      now: new Date(this.state.now()).toISOString(),
    };
  }

  /** Lifetimes of the tokens issued from now on; a missing one falls back to the sandbox options. */
  @Post('token-lifetimes')
  @HttpCode(200)
  setTokenLifetimes(@Body() body: unknown): TokenLifetimes {
    const params = asParams(body);
    const access = seconds(params, 'accessSeconds', 1, MAX_LIFETIME_SECONDS);
    const refresh = seconds(params, 'refreshSeconds', 1, MAX_LIFETIME_SECONDS);
    this.state.tokenLifetimes =
      access === undefined && refresh === undefined
        ? undefined
        : {
            accessSeconds: access ?? this.config.accessTokenTtlSeconds,
            refreshSeconds: refresh ?? this.config.refreshTokenTtlSeconds,
          };
    return (
      this.state.tokenLifetimes ?? {
        accessSeconds: this.config.accessTokenTtlSeconds,
        refreshSeconds: this.config.refreshTokenTtlSeconds,
      }
    );
  }

  /** The person changed the app's permissions in TikTok: every live token of the business now carries `scopes`. */
  @Post('grants/scopes')
  @HttpCode(200)
  setGrantedScopes(@Body() body: unknown): {
    businessId: string;
    scopes: string[];
    tokens: number;
  } {
    const params = asParams(body);
    const account = this.account(params);
    const scopes = params.scopes;
    if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
      throw new BadRequestException('scopes must be a list of scope names');
    }
    let tokens = 0;
    for (const token of [
      ...this.state.accessTokens.values(),
      ...this.state.refreshTokens.values(),
    ]) {
      if (token.openId !== account.openId) continue;
      token.scopes = [...scopes];
      tokens++;
    }
    return { businessId: account.openId, scopes, tokens };
  }

  /** The account was switched between Business and personal in the TikTok app. */
  @Post('accounts/type')
  @HttpCode(200)
  setAccountType(@Body() body: unknown): { businessId: string; accountType: string } {
    const params = asParams(body);
    const account = this.account(params);
    const accountType = params.accountType;
    if (accountType !== 'business' && accountType !== 'personal') {
      throw new BadRequestException('accountType must be "business" or "personal"');
    }
    account.accountType = accountType;
    return { businessId: account.openId, accountType };
  }

  private account(params: Params): Account {
    const businessId = params.businessId;
    if (typeof businessId !== 'string' || businessId === '') {
      throw new BadRequestException('businessId is required (a non-empty string)');
    }
    const account = this.state.accounts.get(businessId);
    if (!account) throw new NotFoundException(`no account ${businessId}`);
    return account;
  }
}
