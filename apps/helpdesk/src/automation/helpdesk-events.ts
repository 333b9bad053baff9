/** The helpdesk's own events, beside the library's `tiktok.*` ones, for its automation. */
export const HelpdeskEvents = {
  ConversationResolved: 'helpdesk.conversation.resolved',
  /** An automation rule's message was not sent because TikTok would not deliver it now. */
  AutomationSkipped: 'helpdesk.automation.skipped',
} as const;

export interface ConversationResolvedEvent {
  conversationId: string;
  inboxId: string;
}

export interface AutomationSkippedEvent {
  ruleId: string;
  conversationId: string;
  /** The library's reason (`reply_window_expired`, `reauthorization_required`, ...). */
  reason: string;
}
