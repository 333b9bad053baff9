import { TiktokApiError } from '../api/tiktok-api.error';
import type { FailureReason } from '../host/helpdesk-port';
import { TiktokReauthorizationRequiredError } from '../tokens/token.errors';
import { OutboundRefusal } from './outbound-refusal';

/** What the reason list of 40064 says, because TikTok does not say which cause applied. */
const MESSAGING_LIMIT_CAUSES =
  'TikTok uses this code for several causes and does not say which one applied: the 48-hour ' +
  'reply window after the customer’s last message has closed, the conversation reached a message ' +
  'cap (messages before the customer replies, or after the window), the account reached its daily ' +
  'limit of new conversations, or messages were sent too fast.';

/** Maps whatever stopped a send to the reason the host shows, with a sentence for the agent. */
export function failureOf(error: unknown): { reason: FailureReason; detail: string } {
  if (error instanceof OutboundRefusal) return { reason: error.reason, detail: error.detail };
  if (error instanceof TiktokReauthorizationRequiredError) {
    return {
      reason: 'reauthorization_required',
      detail: `The TikTok account must be reconnected (${error.reason}).`,
    };
  }
  if (!(error instanceof TiktokApiError)) {
    return { reason: 'unknown', detail: (error as Error)?.message ?? String(error) };
  }
  switch (error.errorClass) {
    case 'messaging_limit':
      return {
        reason: 'messaging_limit',
        detail: `TikTok refused the message under its messaging rules (code ${error.code ?? 40064}). ${MESSAGING_LIMIT_CAUSES} ${error.message}`,
      };
    case 'rate_limited':
      return {
        reason: 'rate_limited',
        detail: 'TikTok kept throttling this account (too many requests); try again in a moment.',
      };
    case 'invalid_request':
      return { reason: 'invalid_content', detail: `TikTok refused the message: ${error.message}` };
    case 'invalid_media':
      return {
        reason: 'unsupported_media',
        detail: `TikTok refused the attachment: ${error.message}`,
      };
    case 'auth_expired':
    case 'auth_revoked':
    case 'connect_failed':
      return {
        reason: 'reauthorization_required',
        detail: `TikTok refused the account's authorization: ${error.message}`,
      };
    case 'transient':
      return {
        reason: 'tiktok_unavailable',
        detail: `TikTok did not accept the message in time: ${error.message}`,
      };
    default:
      return { reason: 'unknown', detail: error.message };
  }
}
