import type { FailureReason, TiktokAccountStatus } from '../host/helpdesk-port';

/** TikTok lets a business reply for 48 hours after the person's last message. */
export const REPLY_WINDOW_MS = 48 * 60 * 60 * 1000;
/** Longest TEXT body TikTok accepts in one message. */
export const MAX_TEXT_LENGTH = 6000;

export interface RuleViolation {
  reason: FailureReason;
  /** A sentence an agent can act on. */
  detail: string;
}

export interface SendRuleInput {
  accountStatus: TiktokAccountStatus;
  lastInboundAt: Date | null;
  content: string;
  now: Date;
}

/**
 * TikTok's messaging rules, checked before anything is sent so an agent gets a clear reason instead
 * of an opaque API refusal (and the account does not collect refusals).
 */
export function checkSendRules(input: SendRuleInput): RuleViolation | null {
  if (input.accountStatus !== 'active') {
    return {
      reason: 'reauthorization_required',
      detail: 'The TikTok account must be reconnected before messages can be sent.',
    };
  }
  if (input.content.trim() === '') {
    return { reason: 'invalid_content', detail: 'The message is empty.' };
  }
  if (!input.lastInboundAt) {
    return {
      reason: 'first_contact_required',
      detail: 'On TikTok the customer must write first; a business cannot start a conversation.',
    };
  }
  if (input.now.getTime() - input.lastInboundAt.getTime() > REPLY_WINDOW_MS) {
    return {
      reason: 'reply_window_expired',
      detail: `TikTok allows replies for 48 hours after the customer's last message (last message: ${input.lastInboundAt.toISOString()}).`,
    };
  }
  return null;
}

/**
 * Splits text into TikTok-sized messages, preferring paragraph, line and word boundaries so a
 * long answer still reads naturally. Code points are never cut in half.
 */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > max) {
    const window = [...rest].slice(0, max).join('');
    const cut = Math.max(
      window.lastIndexOf('\n\n'),
      window.lastIndexOf('\n'),
      window.lastIndexOf(' '),
    );
    const at = cut > max / 2 ? cut : window.length;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
