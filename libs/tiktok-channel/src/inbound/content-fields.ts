/** Lenient readers for TikTok's message content: fields may be missing or of another type. */

/** A non-empty string (numbers become strings: TikTok sends some ids as numbers), or undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A nested object such as `text`, `image` or `from_user`, or an empty one. */
export function block(content: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = content[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** `true`/`false` as TikTok may send it: a boolean, a string or 0/1. */
export function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true' || value === 'TRUE') return true;
  if (value === 0 || value === '0' || value === 'false' || value === 'FALSE') return false;
  return undefined;
}
