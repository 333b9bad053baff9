import type { Readable } from 'node:stream';
import { classifyTiktokCode, TiktokApiError } from './tiktok-api.error';
import { classifyHttpStatus } from './tiktok-api.envelope';
import { parseJsonObject, readCode } from './tiktok-api.parse';
import type { DownloadedMedia } from './tiktok-api.types';
import type { TiktokHttpStream } from './tiktok-http';

/**
 * What errors about a media download name. The URL itself is never quoted: it is signed, and it
 * is fetched with the access token.
 */
export const MEDIA_DOWNLOAD_ENDPOINT = 'media download URL';

/** Enough for any error envelope; an error body is never streamed to the consumer. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The download URL comes from TikTok, but the access token goes with it: only http(s). */
export function parseDownloadUrl(raw: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TiktokApiError({
      errorClass: 'invalid_request',
      endpoint: MEDIA_DOWNLOAD_ENDPOINT,
      message: 'The media download URL is not an absolute http(s) URL',
    });
  }
  return url;
}

export function mediaTooLarge(maxBytes: number, announced?: number): TiktokApiError {
  return new TiktokApiError({
    errorClass: 'invalid_media',
    endpoint: MEDIA_DOWNLOAD_ENDPOINT,
    message:
      announced !== undefined
        ? `The media is ${announced} bytes, over the ${maxBytes}-byte cap; not downloaded`
        : `The media passed the ${maxBytes}-byte cap; download cut off`,
  });
}

/**
 * Hands the body over when it is media within the cap; anything else fails here, before the
 * consumer reads a byte.
 */
export async function readDownload(
  response: TiktokHttpStream,
  maxBytes: number,
): Promise<DownloadedMedia> {
  const { status, headers, body } = response;
  const contentType = headers['content-type'];
  const isJson =
    contentType !== undefined && /^application\/([\w.+-]+\+)?json\b/i.test(contentType);

  if (status >= 300 && status <= 399) {
    body.destroy();
    throw new TiktokApiError({
      errorClass: 'invalid_request',
      endpoint: MEDIA_DOWNLOAD_ENDPOINT,
      httpStatus: status,
      message: `TikTok answered a redirect (HTTP ${status}) for the media download; redirects are not followed`,
    });
  }
  if (status < 200 || status > 299) {
    let code: number | undefined;
    // Cut off by the cap or the deadline, the status is still the better explanation.
    if (isJson) code = await readEnvelopeCode(body).catch(() => undefined);
    else body.destroy();
    throw new TiktokApiError({
      errorClass: classifyHttpStatus(status, code),
      endpoint: MEDIA_DOWNLOAD_ENDPOINT,
      httpStatus: status,
      code,
      message: `TikTok answered HTTP ${status} for the media download${code !== undefined ? ` with code ${code}` : ''}`,
    });
  }
  if (isJson) {
    // TikTok refuses with HTTP 200 and an envelope (an expired token, say); media is never JSON.
    const code = await readEnvelopeCode(body);
    throw new TiktokApiError({
      errorClass: code !== undefined && code !== 0 ? classifyTiktokCode(code) : 'invalid_media',
      endpoint: MEDIA_DOWNLOAD_ENDPOINT,
      httpStatus: status,
      code,
      message:
        code !== undefined && code !== 0
          ? `TikTok refused the media download with code ${code}`
          : 'TikTok answered the media download with JSON instead of media',
    });
  }

  const contentLength = readContentLength(headers['content-length']);
  if (contentLength !== undefined && contentLength > maxBytes) {
    body.destroy();
    throw mediaTooLarge(maxBytes, contentLength);
  }
  return {
    stream: body,
    ...(contentType ? { contentType } : {}),
    ...(contentLength !== undefined ? { contentLength } : {}),
  };
}

function readContentLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) ? length : undefined;
}

/**
 * The envelope's code, if the body is a small enough envelope. Rejects with the body's own
 * `TiktokApiError` when the cap or the deadline cuts it off.
 */
async function readEnvelopeCode(body: Readable): Promise<number | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_ERROR_BODY_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(bytes);
  }
  const envelope = parseJsonObject(Buffer.concat(chunks).toString('utf8'));
  return envelope ? readCode(envelope) : undefined;
}
