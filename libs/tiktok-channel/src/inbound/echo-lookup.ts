import type { EntityManager } from 'typeorm';
import { queryRows } from '../persistence/sql';
import type { InboundEventRow } from './inbound-event';
import { readTiktokMessage } from './tiktok-message';

/**
 * The TikTok message ids, among these events' echoes, that are sends of ours: read in ONE
 * statement for a whole transaction's runs. While the library sends, nearly every event is the
 * echo of a send of ours, and looking each one up on its own (with the savepoint its statement
 * needed) was most of the statements processing sent. An echo found here is dropped without a
 * statement; one not found is looked up again by the handler, as before, so a send that stored
 * its id after this read is still recognised.
 */
export async function findOwnSends(
  manager: EntityManager,
  events: InboundEventRow[],
): Promise<Set<string>> {
  const ids: string[] = [];
  for (const event of events) {
    if (event.event !== 'im_send_msg' && event.event !== 'im_receive_msg') continue;
    const view = readTiktokMessage(event.content, event.business_id, event.event);
    if (view.fromBusiness && view.messageId && view.type !== 'reaction') ids.push(view.messageId);
  }
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ tiktok_message_id: string }>(
    manager,
    `SELECT tiktok_message_id FROM tiktok_outbound_messages WHERE tiktok_message_id = ANY($1::text[])`,
    [ids],
  );
  return new Set(rows.map((row) => row.tiktok_message_id));
}
