/** TikTok's limit on a text message, in characters. */
export const MAX_TEXT_LENGTH = 6000;

/** A business may answer for 48 hours after the person's last message. */
export const REPLY_WINDOW_MS = 48 * 60 * 60 * 1000;

/** Characters as a person counts them: an emoji is one, not two UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

/** The largest image media/upload takes (TikTok: "≤ 3 MB"; the sandbox reads it as MiB). */
export const MAX_IMAGE_BYTES = 3 * 1024 * 1024;

/**
 * Why TikTok would block one more business message in this conversation, or undefined when it
 * may go. Only messages count (sender actions do not), whoever sent them: the API or the app.
 */
export function messagingRuleProblem(
  messages: ReadonlyArray<{ from: 'user' | 'business'; timestamp: number }>,
  now: number,
  caps: { beforeUserReply: number; afterWindow: number },
): string | undefined {
  const lastFromUser = Math.max(
    0,
    ...messages.filter((message) => message.from === 'user').map((message) => message.timestamp),
  );
  const since = messages.filter(
    (message) => message.from === 'business' && message.timestamp > lastFromUser,
  );
  if (since.length >= caps.beforeUserReply) {
    return `The message was blocked: ${caps.beforeUserReply} messages were sent since the user last wrote.`;
  }
  const windowEnd = lastFromUser + REPLY_WINDOW_MS;
  if (now > windowEnd) {
    const late = since.filter((message) => message.timestamp > windowEnd).length;
    if (late >= caps.afterWindow) {
      return `The message was blocked: more than 48 hours have passed since the user last wrote, and ${caps.afterWindow} messages were sent since.`;
    }
  }
  return undefined;
}

/** JPEG or PNG by their magic bytes; whatever the file name or the declared type says. */
export function imageTypeOf(bytes: Buffer): 'image/jpeg' | 'image/png' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((byte, i) => bytes[i] === byte)) return 'image/png';
  return undefined;
}
