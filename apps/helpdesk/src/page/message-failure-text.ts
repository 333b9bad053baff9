import type { FailureReason } from 'tiktok-channel';

/** Why a reply was not sent, in the words the page shows under it. */
export const MESSAGE_FAILURE_TEXT: Record<FailureReason, string> = {
  first_contact_required: 'The customer has to write to you first.',
  reply_window_expired:
    'More than 48 hours have passed since the customer last wrote, so TikTok no longer accepts replies.',
  messaging_limit:
    'TikTok’s limit of messages for this conversation is reached until the customer writes again.',
  rate_limited: 'TikTok asked us to slow down. Try again in a moment.',
  reauthorization_required: 'The TikTok account must be reconnected before it can send.',
  invalid_content: 'TikTok refused this content.',
  unsupported_media: 'TikTok cannot send this kind of attachment.',
  tiktok_unavailable: 'TikTok is not answering right now. Try again in a moment.',
  unknown: 'The message could not be sent.',
};
