import type { FailureReason, TiktokAccountStatus } from '../host/helpdesk-port';

/** TikTok lets a business reply for 48 hours after the person's last message. */
export const REPLY_WINDOW_MS = 48 * 60 * 60 * 1000;
/** Longest TEXT body TikTok accepts in one message. */
export const MAX_TEXT_LENGTH = 6000;
/**
 * The caps the library enforces by default; both are options (`maxMessagesBeforeCustomerReply`,
 * `maxMessagesAfterReplyWindow`). Sources also report 3 messages TikTok lets through after the
 * 48-hour window; that report is unsure, so the window is a hard stop unless a host opts in.
 */
export const DEFAULT_MESSAGE_CAPS = { beforeCustomerReply: 10, afterReplyWindow: 0 } as const;

export interface RuleViolation {
  reason: FailureReason;
  /** A sentence an agent can act on. */
  detail: string;
}

export interface SendRuleInput {
  accountStatus: TiktokAccountStatus;
  lastInboundAt: Date | null;
  /** The text of the message; may be empty when it has attachments. */
  content: string;
  now: Date;
  /** The message carries attachments (so an empty text is fine). */
  hasAttachments?: boolean;
  /** TikTok messages this send would add. Default 1. */
  partCount?: number;
  /** TikTok messages already sent (or on their way) since the customer's last message. */
  sentSinceCustomer?: number;
  /** Of those, the ones recorded after the 48-hour window lapsed. */
  sentAfterWindow?: number;
  caps?: { beforeCustomerReply: number; afterReplyWindow: number };
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
  if (input.content.trim() === '' && !input.hasAttachments) {
    return { reason: 'invalid_content', detail: 'The message is empty.' };
  }
  return checkConversationRules(input);
}

/** The conversation's side of the rules: first contact, the window and the caps. */
export function checkConversationRules(
  input: Pick<
    SendRuleInput,
    'lastInboundAt' | 'now' | 'partCount' | 'sentSinceCustomer' | 'sentAfterWindow' | 'caps'
  >,
): RuleViolation | null {
  if (!input.lastInboundAt) {
    return {
      reason: 'first_contact_required',
      detail: 'On TikTok the customer must write first; a business cannot start a conversation.',
    };
  }
  const caps = input.caps ?? DEFAULT_MESSAGE_CAPS;
  const parts = input.partCount ?? 1;
  const since = input.sentSinceCustomer ?? 0;
  const windowEnd = new Date(input.lastInboundAt.getTime() + REPLY_WINDOW_MS);
  if (input.now.getTime() > windowEnd.getTime()) {
    const after = input.sentAfterWindow ?? 0;
    if (after + parts > caps.afterReplyWindow) {
      return {
        reason: 'reply_window_expired',
        detail:
          `TikTok allows replies for 48 hours after the customer's last message ` +
          `(${input.lastInboundAt.toISOString()}), and ${caps.afterReplyWindow} more message${caps.afterReplyWindow === 1 ? '' : 's'} after that` +
          (after > 0 ? ` (${after} already sent)` : '') +
          `${parts > 1 ? `; this message needs ${parts}` : ''}. The customer has to write again.`,
      };
    }
  }
  if (since + parts > caps.beforeCustomerReply) {
    return {
      reason: 'message_cap_reached',
      detail:
        `TikTok allows ${caps.beforeCustomerReply} messages until the customer writes again; ` +
        `${since} ${since === 1 ? 'was' : 'were'} sent since their last message` +
        `${parts > 1 ? ` and this one needs ${parts}` : ''}.`,
    };
  }
  return null;
}

/** Sentence ends: the punctuation, any closing quotes or brackets, then the space after them. */
const SENTENCE_END = /[.!?…。！？]["'”’)\]]*\s+/g;

/**
 * Splits text into TikTok-sized messages at the best boundary in the last half of each window:
 * a paragraph break, else a sentence end, else a line break or a space, else a hard cut. Code
 * points are never cut in half, and no text is lost (only the whitespace at a cut).
 */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > max) {
    const window = [...rest].slice(0, max).join('');
    const at = cutPoint(window, max);
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

function cutPoint(window: string, max: number): number {
  const floor = Math.floor(window.length / 2);
  const paragraph = window.lastIndexOf('\n\n');
  if (paragraph > floor) return paragraph;
  let sentence = -1;
  for (const match of window.matchAll(SENTENCE_END)) {
    const end = (match.index ?? 0) + match[0].length;
    if (end <= window.length) sentence = end;
  }
  if (sentence > floor) return sentence;
  const word = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
  if (word > floor && word > max / 2) return word;
  return window.length;
}
