import { TiktokApiError } from './tiktok-api.error';
import type {
  BusinessVideoPage,
  ConversationPage,
  TiktokAccountType,
  TiktokBusinessVideo,
  TiktokCapabilities,
  TiktokConversationSummary,
  TiktokTokenGrant,
  TiktokTokenInfo,
} from './tiktok-api.types';

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

export function parseTokenInfo(data: JsonObject, endpoint: string): TiktokTokenInfo {
  const appId = readId(data, 'app_id');
  // Without the app id the answer cannot prove the token is ours, which is what it is asked for.
  if (!appId) throw missingFields(endpoint, 'token info', { app_id: appId });
  const creatorId = readId(data, 'creator_id');
  return { appId, scopes: readScopes(data['scope']), ...(creatorId ? { creatorId } : {}) };
}

/** Reads a value the call is useless without (an id, a URL), or fails naming it. */
export function requireField(data: JsonObject, key: string, endpoint: string): string {
  const value = readId(data, key);
  if (!value) throw missingFields(endpoint, 'response', { [key]: value });
  return value;
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

/** TikTok documents a boolean `capability_result`; a yes/no string is accepted too. */
export function parseCapabilities(data: JsonObject): TiktokCapabilities {
  const info = readRecords(data, 'capability_infos').find(
    (entry) => readString(entry, 'capability_type')?.toUpperCase() === 'IMAGE_SEND',
  );
  const result = info?.['capability_result'];
  if (typeof result === 'boolean') return { imageSend: result };
  if (typeof result === 'string' && /^(true|false)$/i.test(result.trim())) {
    return { imageSend: result.trim().toLowerCase() === 'true' };
  }
  return { imageSend: 'unknown' };
}

export function parseConversationPage(data: JsonObject): ConversationPage {
  const conversations: TiktokConversationSummary[] = [];
  for (const entry of readRecords(data, 'conversations')) {
    const conversationId = readId(entry, 'conversation_id');
    if (!conversationId) continue;
    // Sources disagree on the name; both carry milliseconds.
    const updatedAt = readNumber(entry, 'update_time') ?? readNumber(entry, 'up_time') ?? 0;
    conversations.push({ conversationId, updatedAt });
  }
  return { conversations, ...readPaging(data) };
}

export function parseBusinessVideoPage(data: JsonObject): BusinessVideoPage {
  const videos: TiktokBusinessVideo[] = [];
  for (const entry of readRecords(data, 'videos')) {
    const itemId = readId(entry, 'item_id');
    if (!itemId) continue;
    const shareUrl = readString(entry, 'share_url');
    const embedUrl = readString(entry, 'embed_url');
    videos.push({ itemId, ...(shareUrl ? { shareUrl } : {}), ...(embedUrl ? { embedUrl } : {}) });
  }
  return { videos, ...readPaging(data) };
}

/** TikTok sends the cursor as a number, the sandbox as a string; callers only pass it back. */
function readPaging(data: JsonObject): { hasMore: boolean; cursor?: string } {
  const cursor = readId(data, 'cursor');
  return { hasMore: data['has_more'] === true, ...(cursor !== undefined ? { cursor } : {}) };
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
