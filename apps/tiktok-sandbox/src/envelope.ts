import { newId } from './ids';

/** The body of every Business API answer, errors included. */
export interface Envelope<T> {
  code: number;
  message: string;
  request_id: string;
  data: T;
}

export type EmptyData = Record<string, never>;

/** The codes of §5 of the wire contract that the sandbox can answer. */
export const ErrorCode = {
  noPermission: 40001,
  invalidParameter: 40002,
  notFound: 40007,
  messagingRuleBlocked: 40064,
  tooManyRequests: 40100,
  accessTokenExpired: 40102,
  refreshTokenExpired: 40103,
  accessTokenMissing: 40104,
  accessTokenInvalid: 40105,
  refreshTokenInvalid: 40107,
  authCodeInvalid: 40110,
  systemError: 50000,
} as const;

const defaultMessages: Record<number, string> = {
  40001: 'No permission to operate this resource.',
  40002: 'Invalid parameter.',
  40007: 'The object does not exist.',
  40016: 'Too many requests.',
  40064: 'The message was blocked by messaging rules.',
  40100: 'Too many requests. Please retry in some time.',
  40101: 'The authorization code is invalid.',
  40102: 'Access token has expired.',
  40103: 'Refresh token has expired.',
  40104: 'Access token is missing.',
  40105: 'Access token is invalid.',
  40107: 'Refresh token is invalid.',
  40110: 'The authorization code is invalid, used or expired.',
  50000: 'System error.',
  50002: 'System error.',
  51065: 'System error.',
};

export function defaultMessage(code: number): string {
  return defaultMessages[code] ?? `Error ${code}.`;
}

/** Thrown by handlers; the envelope filter turns it into HTTP 200 with a non-zero code. */
export class TikTokApiError extends Error {
  constructor(
    readonly code: number,
    message: string = defaultMessage(code),
  ) {
    super(message);
  }
}

export function ok<T>(data: T): Envelope<T> {
  return { code: 0, message: 'OK', request_id: newId.requestId(), data };
}

export function failure(code: number, message: string = defaultMessage(code)): Envelope<EmptyData> {
  return { code, message, request_id: newId.requestId(), data: {} };
}
