import { Body, Controller, Get, Inject, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { authorizeErrorPage, consentPage } from './consent-page';
import { SandboxConfig } from './options';
import { Params, asParams } from './params';
import { SANDBOX_CONFIG } from './sandbox-config.token';
import { AccountType, PendingConsent, SandboxState, usernameProblem } from './sandbox-state';

interface AuthorizeRequest {
  scopes: string[];
  redirectUri: string;
  state: string;
}

// Scopes look like "user.info.basic"; anything else usually means a wrong separator.
const SCOPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

function text(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseAuthorizeRequest(
  params: Params,
  appId: string,
): AuthorizeRequest | { error: string } {
  const clientKey = text(params, 'client_key');
  if (clientKey !== appId) {
    return { error: `client_key ${clientKey ?? '(missing)'} is not a known app.` };
  }
  if (text(params, 'response_type') !== 'code') return { error: 'response_type must be "code".' };

  const redirectUri = text(params, 'redirect_uri');
  if (!redirectUri) return { error: 'redirect_uri is required.' };
  let parsedRedirect: URL;
  try {
    parsedRedirect = new URL(redirectUri);
  } catch {
    return { error: 'redirect_uri must be an absolute URL.' };
  }
  // TikTok wants https; the sandbox also takes http so a local demo can receive the callback.
  if (!['http:', 'https:'].includes(parsedRedirect.protocol) || parsedRedirect.hash) {
    return { error: 'redirect_uri must be an http(s) URL without a fragment.' };
  }

  const scope = text(params, 'scope');
  if (!scope) return { error: 'scope is required.' };
  const scopes = scope.split(',');
  const malformed = scopes.filter((item) => !SCOPE_PATTERN.test(item));
  if (malformed.length) {
    return {
      error: `scope must be a comma-separated list of scopes; malformed: ${malformed.map((m) => JSON.stringify(m)).join(', ')}.`,
    };
  }
  const state = text(params, 'state');
  if (!state) return { error: 'state is required: it protects the callback against forgery.' };
  return { scopes: [...new Set(scopes)], redirectUri, state };
}

/** The browser side of OAuth: TikTok's consent page and its redirect back to the app. */
@Controller('v2/auth/authorize')
export class AuthorizeController {
  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly state: SandboxState,
  ) {}

  @Get()
  show(@Query() query: unknown, @Res() response: Response): void {
    const request = parseAuthorizeRequest(asParams(query), this.config.appId);
    if ('error' in request) {
      response.status(400).type('html').send(authorizeErrorPage(request.error));
      return;
    }
    // Tests and the demo queue a decision beforehand, so no browser has to click.
    const pending = this.state.consentQueue.shift();
    if (pending) {
      this.complete(response, request, pending);
      return;
    }
    response.status(200).type('html').send(this.page(request));
  }

  @Post('decision')
  decide(@Body() body: unknown, @Res() response: Response): void {
    const params = asParams(body);
    const request = parseAuthorizeRequest(params, this.config.appId);
    if ('error' in request) {
      response.status(400).type('html').send(authorizeErrorPage(request.error));
      return;
    }
    const decision = text(params, 'decision');
    const username = (text(params, 'username') ?? '').trim();
    const accountType: AccountType =
      text(params, 'account_type') === 'personal' ? 'personal' : 'business';
    // A refused form keeps what the person typed, so they only fix the mistake.
    const entered = { username, accountType };
    if (decision !== 'approve' && decision !== 'deny') {
      response
        .status(400)
        .type('html')
        .send(this.page(request, 'Choose Approve or Deny.', entered));
      return;
    }
    const problem = decision === 'approve' ? usernameProblem(username) : undefined;
    if (problem) {
      response
        .status(400)
        .type('html')
        .send(this.page(request, problem, entered));
      return;
    }
    this.complete(response, request, { username, accountType, decision });
  }

  private page(
    request: AuthorizeRequest,
    error?: string,
    entered: { username?: string; accountType?: AccountType } = {},
  ): string {
    return consentPage({
      appName: this.config.appName,
      scopes: request.scopes,
      error,
      ...entered,
      hidden: {
        client_key: this.config.appId,
        response_type: 'code',
        scope: request.scopes.join(','),
        redirect_uri: request.redirectUri,
        state: request.state,
      },
    });
  }

  private complete(response: Response, request: AuthorizeRequest, consent: PendingConsent): void {
    const target = new URL(request.redirectUri);
    if (consent.decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_code', 'access_denied');
      target.searchParams.set('error_description', 'The user denied the authorization request.');
    } else {
      const account = this.state.approveAccount(
        consent.username,
        consent.accountType,
        consent.displayName,
      );
      // The person may untick permissions: only the requested scopes they left are granted.
      const granted = consent.scopes
        ? request.scopes.filter((scope) => consent.scopes?.includes(scope))
        : request.scopes;
      const code = this.state.issueAuthCode(account.openId, granted, request.redirectUri);
      target.searchParams.set('code', code.code);
      target.searchParams.set('scopes', granted.join(','));
    }
    target.searchParams.set('state', request.state);
    this.config.log(`authorize: ${consent.decision} as ${consent.username || '(nobody)'}`);
    response.redirect(302, target.toString());
  }
}
