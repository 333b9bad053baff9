import type { Readable } from 'node:stream';
import { OutboundRefusal } from './outbound-refusal';
import type { TiktokAttachment } from './send-input';

/**
 * The bytes of an attachment, from whichever source the host gave, never more than `maxBytes`
 * (a larger one is refused as `attachment_too_large` without reading the rest).
 */
export async function readAttachment(
  attachment: TiktokAttachment,
  maxBytes: number,
  timeoutMs: number,
): Promise<Buffer> {
  const name = attachment.fileName || 'The attachment';
  if (attachment.bytes) {
    const bytes = Buffer.from(
      attachment.bytes.buffer,
      attachment.bytes.byteOffset,
      attachment.bytes.byteLength,
    );
    if (bytes.length > maxBytes) throw tooLarge(name, maxBytes);
    return bytes;
  }
  if (attachment.stream) return readStream(attachment.stream, name, maxBytes);
  if (attachment.url) return download(attachment.url, name, maxBytes, timeoutMs);
  throw new OutboundRefusal(
    'invalid_content',
    `${name} has no content: give bytes, a stream or a url.`,
  );
}

async function readStream(stream: Readable, name: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (size > maxBytes) {
        stream.destroy();
        throw tooLarge(name, maxBytes);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof OutboundRefusal) throw error;
    throw new OutboundRefusal(
      'invalid_content',
      `${name} could not be read: ${(error as Error).message}`,
    );
  }
  return Buffer.concat(chunks);
}

async function download(
  url: string,
  name: string,
  maxBytes: number,
  timeoutMs: number,
): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundRefusal('invalid_content', `${name} has a url that is not an absolute URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new OutboundRefusal('invalid_content', `${name} has a url that is not http(s).`);
  }
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new OutboundRefusal(
      'invalid_content',
      `${name} could not be downloaded from ${parsed.host}: ${(error as Error).name}.`,
    );
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new OutboundRefusal(
      'invalid_content',
      `${name} could not be downloaded from ${parsed.host} (HTTP ${response.status}).`,
    );
  }
  const announced = Number(response.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body.cancel();
    throw tooLarge(name, maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(name, maxBytes);
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    await response.body.cancel().catch(() => undefined);
    if (error instanceof OutboundRefusal) throw error;
    throw new OutboundRefusal(
      'invalid_content',
      `${name} could not be downloaded from ${parsed.host}: ${(error as Error).name}.`,
    );
  }
  return Buffer.concat(chunks);
}

function tooLarge(name: string, maxBytes: number): OutboundRefusal {
  const megabytes = Math.round((maxBytes / (1024 * 1024)) * 10) / 10;
  return new OutboundRefusal(
    'attachment_too_large',
    `${name} is larger than ${megabytes} MB, the most this helpdesk sends.`,
  );
}
