/** Lenient readers for TikTok's message content: fields may be missing or of another type. */

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A nested object such as `text`, `image` or `from_user`, or an empty one. */
export function block(content: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = content[name];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
