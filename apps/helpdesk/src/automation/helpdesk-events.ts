/** The helpdesk's own events, beside the library's `tiktok.*` ones, for its automation. */
export const HelpdeskEvents = {
  ConversationResolved: 'helpdesk.conversation.resolved',
} as const;

export interface ConversationResolvedEvent {
  conversationId: string;
  inboxId: string;
}
