import { ErrorCode, TikTokApiError } from './envelope';

/** A JSON body or a query string, read leniently: unknown fields are ignored, like TikTok does. */
export type Params = Record<string, unknown>;

export function asParams(value: unknown): Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Params)
    : {};
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new TikTokApiError(ErrorCode.invalidParameter, `${name} must be a string.`);
  }
  return value;
}

export function requiredString(params: Params, name: string, hint = ''): string {
  const value = optionalString(params, name);
  if (value === undefined) {
    throw new TikTokApiError(ErrorCode.invalidParameter, `${name} is required.${hint}`);
  }
  return value;
}

export function invalid(name: string, reason: string): TikTokApiError {
  return new TikTokApiError(ErrorCode.invalidParameter, `Invalid ${name}: ${reason}`);
}
