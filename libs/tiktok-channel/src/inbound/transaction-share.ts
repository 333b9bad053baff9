/** Events of one conversation handled in one transaction at most: one claim, one commit for many. */
export const MAX_RUN = 50;

/**
 * Each conversation's share of a transaction's events: equal, so every conversation taken makes
 * progress, and together never more than `cap` (a 32-conversation backlog step was 1,600 events,
 * hundreds of ms of handling on the event loop while webhooks waited for their 200). A
 * transaction takes at most `cap` conversations, so a share is never below one event.
 */
export function eventsPerConversation(cap: number, conversations: number): number {
  return Math.max(1, Math.min(MAX_RUN, Math.floor(cap / Math.max(1, conversations))));
}
