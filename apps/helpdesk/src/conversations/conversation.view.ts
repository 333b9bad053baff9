import type {
  ConversationEntity,
  ConversationStatus,
} from '../database/entities/conversation.entity';

/** A conversation as the REST API shows it. */
export interface ConversationView {
  id: string;
  inboxId: string;
  status: ConversationStatus;
  contact: { id: string; name: string | null; username: string | null; tiktokUserId: string };
  lastMessageAt: string | null;
}

/** Expects the conversation loaded with its contact. */
export function toConversationView(conversation: ConversationEntity): ConversationView {
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
    },
    lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
  };
}
