import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode, TikTokApiError } from './envelope';
import { Account, SandboxState } from './sandbox-state';

/** The headers a Business call may carry its token in (only Access-Token counts; see authenticate). */
export interface TokenHeaders {
  accessToken?: string;
  authorization?: string;
}

/** Parameter decorator reading both token headers, so every Business handler takes them alike. */
export const TokenHeaders = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TokenHeaders => {
    const request = context.switchToHttp().getRequest<Request>();
    return {
      accessToken: request.header('access-token'),
      authorization: request.header('authorization'),
    };
  },
);

/**
 * The checks TikTok runs on every Business endpoint, in its order: token present, known, not
 * expired, belonging to `business_id`, carrying the scope the endpoint needs.
 */
export function authenticate(
  state: SandboxState,
  headers: TokenHeaders,
  businessId: string | undefined,
  requiredScope: string,
): Account {
  const token = headers.accessToken?.trim();
  if (!token) {
    const bearerHint = headers.authorization
      ? ' The Business API reads the Access-Token header, not Authorization: Bearer.'
      : '';
    throw new TikTokApiError(ErrorCode.accessTokenMissing, `Access token is missing.${bearerHint}`);
  }
  const record = state.accessTokens.get(token);
  if (!record || record.revoked) throw new TikTokApiError(ErrorCode.accessTokenInvalid);
  if (record.expiresAt <= state.now()) throw new TikTokApiError(ErrorCode.accessTokenExpired);
  if (!businessId) {
    throw new TikTokApiError(ErrorCode.invalidParameter, 'business_id is required.');
  }
  if (record.openId !== businessId) {
    throw new TikTokApiError(
      ErrorCode.noPermission,
      'No permission: the access token was not granted by this business_id.',
    );
  }
  if (!record.scopes.includes(requiredScope)) {
    throw new TikTokApiError(
      ErrorCode.noPermission,
      `No permission: the scope ${requiredScope} was not granted.`,
    );
  }
  const account = state.accounts.get(record.openId);
  if (!account) throw new TikTokApiError(ErrorCode.accessTokenInvalid);
  return account;
}
