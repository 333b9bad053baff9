import { classifyTiktokCode, TiktokApiError } from './tiktok-api.error';
import {
  isRecord,
  parseJsonObject,
  readCode,
  readString,
  type JsonObject,
} from './tiktok-api.parse';
import type { TiktokErrorClass } from './tiktok-api.types';
import type { TiktokHttpResponse } from './tiktok-http';

const MAX_REMOTE_MESSAGE_LENGTH = 300;

export interface EnvelopeContext {
  /** Path relative to the API base, as errors name it. */
  endpoint: string;
  /** The URL path, for the 404 message that has to show what was actually requested. */
  pathname: string;
  /** Values TikTok might quote back in its message (tokens, the secret); masked there. */
  secrets: string[];
  /**
   * The request carried an `Access-Token`. A 401/403 without a TikTok code then means the token
   * was refused (refresh once, then report), not a malformed request.
   */
  authenticated?: boolean;
}

/**
 * Reads TikTok's `{ code, message, request_id, data }` envelope: resolves with `data` (an empty
 * object when absent) or throws a classified error. Both an HTTP error status and a non-zero
 * `code` are failures; TikTok usually refuses with HTTP 200 and a code.
 */
export function readEnvelope(response: TiktokHttpResponse, context: EnvelopeContext): JsonObject {
  const { status } = response;
  const { endpoint } = context;
  const envelope = parseJsonObject(response.body.toString('utf8'));
  const code = envelope ? readCode(envelope) : undefined;
  const requestId =
    (envelope && readString(envelope, 'request_id')) || response.headers['x-tt-logid'];
  const remoteMessage = envelope ? maskedRemoteMessage(envelope, context.secrets) : '';

  if (status >= 300 && status <= 399) {
    // Never followed: it would carry the Access-Token to whatever host it names.
    throw new TiktokApiError({
      errorClass: 'invalid_request',
      endpoint,
      httpStatus: status,
      code,
      requestId,
      message: `TikTok answered a redirect (HTTP ${status}) for ${endpoint}; redirects are not followed`,
    });
  }
  if (status < 200 || status > 299) {
    throw new TiktokApiError({
      errorClass: classifyHttpStatus(status, code, context.authenticated),
      endpoint,
      httpStatus: status,
      code,
      requestId,
      // A gateway's 5xx does not say whether TikTok behind it carried the call out.
      outcomeUnknown: status >= 500 && code === undefined,
      message:
        status === 404
          ? `TikTok answered HTTP 404 for ${context.pathname}: check the path (TikTok paths must end with "/")`
          : `TikTok answered HTTP ${status} for ${endpoint}${code !== undefined ? ` with code ${code}` : ''}${remoteMessage}`,
    });
  }
  if (!envelope || code === undefined) {
    throw new TiktokApiError({
      errorClass: 'transient',
      endpoint,
      httpStatus: status,
      requestId,
      message: `TikTok answered ${endpoint} with HTTP ${status} but not with a JSON envelope`,
    });
  }
  if (code !== 0) {
    throw new TiktokApiError({
      errorClass: classifyTiktokCode(code),
      endpoint,
      httpStatus: status,
      code,
      requestId,
      message: `TikTok refused ${endpoint} with code ${code}${remoteMessage}`,
    });
  }
  const data = envelope['data'];
  return isRecord(data) ? data : {};
}

export function classifyHttpStatus(
  status: number,
  code: number | undefined,
  authenticated = false,
): TiktokErrorClass {
  if (status >= 500) return 'transient';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'invalid_request';
  // An error status with a TikTok code is more specific than the status (e.g. 401 + 40105).
  if (code !== undefined && code !== 0) return classifyTiktokCode(code);
  // A bare 401/403 to a call that carried an Access-Token is the token being refused: an
  // authorization problem (refresh once, then report), not "TikTok refused this content".
  // App-level calls (token exchange and refresh) carry none and keep their own classification.
  if ((status === 401 || status === 403) && authenticated) return 'auth_expired';
  return 'invalid_request';
}

/** TikTok's own explanation, masked because it may quote the parameters it rejected. */
function maskedRemoteMessage(envelope: JsonObject, secrets: string[]): string {
  const raw = readString(envelope, 'message');
  if (!raw) return '';
  let masked = raw;
  for (const secret of secrets) {
    if (secret) masked = masked.split(secret).join('[redacted]');
  }
  if (masked.length > MAX_REMOTE_MESSAGE_LENGTH) {
    masked = `${masked.slice(0, MAX_REMOTE_MESSAGE_LENGTH)}…`;
  }
  return `: ${masked}`;
}
