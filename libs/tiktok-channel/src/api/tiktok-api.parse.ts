import { TiktokApiError } from './tiktok-api.error';
import type { TiktokAccountType, TiktokTokenGrant } from './tiktok-api.types';

/**
 * Turns TikTok's `data` objects into the library's types. TikTok adds fields and varies shapes
 * between endpoints and versions, so every reader is lenient about what it does not need and
 * strict only where a missing value would make the result wrong.
 */

export type JsonObject = Record<string, unknown>;

export const WEBHOOK_EVENT_TYPE = 'DIRECT_MESSAGE';

export function parseTokenGrant(data: JsonObject, endpoint: string): TiktokTokenGrant {
  const accessToken = readString(data, 'access_token');
  const refreshToken = readString(data, 'refresh_token');
  const openId = readString(data, 'open_id');
  const expiresIn = readNumber(data, 'expires_in');
  const refreshTokenExpiresIn = readNumber(data, 'refresh_token_expires_in');
  if (
    !accessToken ||
    !refreshToken ||
    !openId ||
    expiresIn === undefined ||
    refreshTokenExpiresIn === undefined
  ) {
    throw missingFields(endpoint, 'token response', {
      access_token: accessToken,
      refresh_token: refreshToken,
      open_id: openId,
      expires_in: expiresIn,
      refresh_token_expires_in: refreshTokenExpiresIn,
    });
  }
  return {
    accessToken,
    refreshToken,
    expiresIn,
    refreshTokenExpiresIn,
    openId,
    scopes: readScopes(data['scope']),
  };
}

export function readScopes(value: unknown): string[] {
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  return parts
    .filter((part): part is string => typeof part === 'string')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

export function readAccountType(data: JsonObject): TiktokAccountType {
  const flag = data['is_business_account'];
  if (flag === true) return 'business';
  if (flag === false) return 'personal';
  return 'unknown';
}

/** The list call has been seen answering with a single object and with lists under two names. */
export function readCallbackUrl(data: JsonObject): string | null {
  const direct = readString(data, 'callback_url');
  if (direct) return direct;
  for (const listName of ['list', 'callbacks']) {
    const candidates = readRecords(data, listName).filter((entry) =>
      readString(entry, 'callback_url'),
    );
    const match =
      candidates.find((entry) => isOurEventType(entry['event_type'])) ??
      candidates.find((entry) => entry['event_type'] === undefined);
    if (match) return readString(match, 'callback_url') ?? null;
  }
  return null;
}

function isOurEventType(value: unknown): boolean {
  return typeof value === 'string' && value.toUpperCase() === WEBHOOK_EVENT_TYPE;
}

export function readRecords(record: JsonObject, key: string): JsonObject[] {
  const value = record[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function readCode(envelope: JsonObject): number | undefined {
  const code = readNumber(envelope, 'code');
  return code !== undefined && Number.isInteger(code) ? code : undefined;
}

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readString(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** Ids are strings on the wire, but a numeric id must not be mistaken for a missing one. */
export function readId(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function readNumber(record: JsonObject, key: string): number | undefined {
  const value = record[key];
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Names only the fields: their values may be tokens. */
function missingFields(endpoint: string, what: string, fields: JsonObject): TiktokApiError {
  const missing = Object.entries(fields)
    .filter(([, value]) => value === undefined || value === '')
    .map(([name]) => name);
  return new TiktokApiError({
    errorClass: 'invalid_request',
    endpoint,
    message: `TikTok's ${what} from ${endpoint} is missing ${missing.join(', ')}`,
  });
}
