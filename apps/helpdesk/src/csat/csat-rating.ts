/**
 * The 1–5 rating in a customer's answer to a satisfaction survey, or undefined when the answer is
 * something else ("thanks!", a question): "4", "4/5", "4 ." or four stars count; "4 but slow" does
 * not, since it needs an agent to read it.
 */
export function parseCsatRating(text: string): number | undefined {
  const trimmed = text.trim();
  const digit = /^([1-5])(?:\s*\/\s*5)?\s*[.!]?$/.exec(trimmed);
  if (digit) return Number(digit[1]);
  const stars = /^(?:[⭐★]\uFE0F?\s*){1,5}$/u.exec(trimmed);
  if (stars) return [...trimmed.matchAll(/[⭐★]/gu)].length;
  return undefined;
}
