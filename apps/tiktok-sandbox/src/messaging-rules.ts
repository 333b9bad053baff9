/** TikTok's limit on a text message, in characters. */
export const MAX_TEXT_LENGTH = 6000;

/** A business may answer for 48 hours after the person's last message. */
export const REPLY_WINDOW_MS = 48 * 60 * 60 * 1000;

/** Characters as a person counts them: an emoji is one, not two UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}
