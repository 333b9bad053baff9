import { TiktokApiError } from '../api/tiktok-api.error';
import type { FailureReason } from '../host/helpdesk-port';
import { TiktokReauthorizationRequiredError } from '../tokens/token.errors';

/** Maps whatever stopped a send to the reason the host shows, with a sentence for the agent. */
export function failureOf(error: unknown): { reason: FailureReason; detail: string } {
  if (error instanceof TiktokReauthorizationRequiredError) {
    return {
      reason: 'reauthorization_required',
      detail: 'The TikTok account must be reconnected.',
    };
  }
  if (!(error instanceof TiktokApiError)) {
    return { reason: 'unknown', detail: (error as Error)?.message ?? String(error) };
  }
  switch (error.errorClass) {
    case 'messaging_limit':
      return {
        reason: 'messaging_limit',
        detail: `TikTok's messaging rules refused the message (reply window or message cap): ${error.message}`,
      };
    case 'rate_limited':
      return {
        reason: 'rate_limited',
        detail: 'TikTok is throttling this account; try again in a moment.',
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
        detail: 'The TikTok account must be reconnected.',
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
