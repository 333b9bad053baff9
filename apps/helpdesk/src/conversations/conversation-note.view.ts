import type { ConversationNoteEntity } from '../database/entities/conversation-note.entity';

/** A note in a conversation as the REST API shows it. */
export interface ConversationNoteView {
  id: string;
  /** `referral` (which ad or post brought the customer), `history_gap`, `event_parked`, ... */
  kind: string;
  text: string;
  data: Record<string, string | number | boolean | null> | null;
  at: string;
}

export function toConversationNoteView(note: ConversationNoteEntity): ConversationNoteView {
  return {
    id: note.id,
    kind: note.kind,
    text: note.text,
    data: note.data,
    at: note.at.toISOString(),
  };
}
