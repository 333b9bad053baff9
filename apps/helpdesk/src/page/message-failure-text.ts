import type { FailureReason } from 'tiktok-channel';

/**
 * Why a reply was not sent, in the words the page shows under it when the library's own sentence
 * (`failureDetail`) is not at hand.
 */
export const MESSAGE_FAILURE_TEXT: Record<FailureReason, string> = {
  first_contact_required: 'The customer has to write to you first.',
  reply_window_expired:
    'More than 48 hours have passed since the customer last wrote, so TikTok no longer accepts replies.',
  message_cap_reached:
    'TikTok allows no more messages in this conversation until the customer writes again.',
  messaging_limit:
    'TikTok’s messaging rules refused it: the reply window, a message cap, the daily limit of new conversations, or sending too fast.',
  rate_limited: 'TikTok asked us to slow down. Try again in a moment.',
  reauthorization_required: 'The TikTok account must be reconnected before it can send.',
  invalid_content: 'TikTok refused this content.',
  unsupported_media: 'TikTok cannot send this kind of attachment.',
  image_not_supported: 'This customer cannot receive images on TikTok.',
  video_not_supported:
    'TikTok cannot send video files: share one of the account’s TikTok posts, or a link.',
  attachment_too_large: 'The attachment is too large to send.',
  tiktok_unavailable: 'TikTok is not answering right now. Try again in a moment.',
  delivery_unconfirmed:
    'TikTok did not confirm this message and it could not be found; check TikTok before retrying.',
  earlier_part_failed: 'Not sent because an earlier part of the message failed.',
  unknown: 'The message could not be sent.',
};
