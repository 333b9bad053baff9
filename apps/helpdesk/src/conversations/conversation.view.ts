import type {
  ConversationEntity,
  ConversationStatus,
} from '../database/entities/conversation.entity';

/** What the conversation list shows beside the contact: computed from the messages and ratings. */
export interface ConversationSummary {
  /** The latest message's text (shortened), or a word for what it carried. */
  preview: string | null;
  previewDirection: 'incoming' | 'outgoing' | null;
  /** Customer messages since an agent last opened the conversation. */
  unreadCount: number;
  /** The customer's latest satisfaction rating. */
  csat: { rating: number; ratedAt: string } | null;
}

/** A conversation as the REST API shows it. */
export interface ConversationView extends ConversationSummary {
  id: string;
  inboxId: string;
  status: ConversationStatus;
  contact: {
    id: string;
    name: string | null;
    username: string | null;
    tiktokUserId: string;
    avatarUrl: string | null;
  };
  lastMessageAt: string | null;
  /** A satisfaction survey was sent and awaits the customer's 1–5 answer. */
  csatAwaiting: boolean;
}

export const EMPTY_SUMMARY: ConversationSummary = {
  preview: null,
  previewDirection: null,
  unreadCount: 0,
  csat: null,
};

/** Expects the conversation loaded with its contact. */
export function toConversationView(
  conversation: ConversationEntity,
  summary: ConversationSummary = EMPTY_SUMMARY,
): ConversationView {
  const contact = conversation.contact;
  if (!contact) throw new Error(`Conversation ${conversation.id} was loaded without its contact`);
  return {
    id: conversation.id,
    inboxId: conversation.inboxId,
    status: conversation.status,
    contact: {
      id: contact.id,
      name: contact.name,
      username: contact.username,
      tiktokUserId: contact.tiktokUserId,
      avatarUrl: contact.avatarUrl,
    },
    lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
    csatAwaiting: conversation.csatRequestedAt !== null,
    ...summary,
  };
}
