import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { EchoMessage, InboundMessage, TiktokAccountView } from 'tiktok-channel';
import { InboundAttachmentStore } from '../../apps/helpdesk/src/attachments/inbound-attachment.store';
import { HelpdeskTiktokAdapter } from '../../apps/helpdesk/src/tiktok/helpdesk-tiktok.adapter';
import { openHelpdeskDatabase, type HelpdeskDatabase } from '../support/helpdesk-database';

const account: TiktokAccountView = {
  accountId: 'acct-1',
  businessId: 'biz_0001',
  username: 'shopdemo',
  displayName: 'Shop Demo',
  status: 'active',
  scopes: ['message.list.read'],
  accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
  refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
};

const SENT = new Date('2026-11-25T10:00:00Z');

/** appendMessages: many messages in one statement, as if appended one after the other. */
describe('HelpdeskTiktokAdapter.appendMessages', () => {
  let database: HelpdeskDatabase;
  let dataSource: DataSource;
  let adapter: HelpdeskTiktokAdapter;
  let directory: string;
  let inboxId: string;

  beforeAll(async () => {
    database = await openHelpdeskDatabase();
    dataSource = database.dataSource;
    directory = await mkdtemp(join(tmpdir(), 'adapter-batch-'));
    adapter = new HelpdeskTiktokAdapter(
      dataSource,
      new InboundAttachmentStore(directory, dataSource),
    );
  });

  afterAll(async () => {
    await database?.close();
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await dataSource.query(
      'TRUNCATE inboxes, contacts, conversations, messages, csat_ratings CASCADE',
    );
    ({ inboxId } = await adapter.upsertInbox({ tenant: 'demo', account }));
  });

  async function conversation(tiktokConversationId: string): Promise<string> {
    const { contactId } = await adapter.upsertContact({
      inboxId,
      tiktokUserId: `u_${tiktokConversationId}`,
    });
    const { conversationId } = await adapter.openConversation({
      inboxId,
      contactId,
      tiktokConversationId,
    });
    return conversationId;
  }

  function incoming(
    conversationId: string,
    tiktokMessageId: string,
    content = tiktokMessageId,
    sentAt = SENT,
  ): InboundMessage {
    return {
      direction: 'incoming',
      inboxId,
      conversationId,
      contactId: '',
      tiktokMessageId,
      content,
      attachments: [],
      sentAt,
    };
  }

  async function page(conversationId: string): Promise<string[]> {
    // The demo page's order (see MessagesService), then a tiebreak against the given order: a
    // tie in created_at would show here, whatever order the rows happen to come back in.
    const rows = await dataSource.query<Array<{ external_id: string }>>(
      `SELECT external_id FROM messages WHERE conversation_id = $1
        ORDER BY LEAST(created_at, sent_at), created_at, external_id DESC`,
      [conversationId],
    );
    return rows.map((row) => row.external_id);
  }

  async function state(conversationId: string) {
    const [row] = await dataSource.query<
      Array<{ status: string; awaiting: boolean; last: Date | null }>
    >(
      `SELECT status, csat_requested_at IS NOT NULL AS awaiting, last_message_at AS last
         FROM conversations WHERE id = $1`,
      [conversationId],
    );
    return row;
  }

  async function surveyed(conversationId: string, at: Date): Promise<void> {
    await dataSource.query(
      `UPDATE conversations SET status = 'resolved', csat_requested_at = $2 WHERE id = $1`,
      [conversationId, at],
    );
  }

  it('keeps the given order on the page for messages TikTok stamped with the same second', async () => {
    const a = await conversation('conv_a');
    const b = await conversation('conv_b');
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];

    const appended = await adapter.appendMessages([
      incoming(a, 'm1'),
      incoming(b, 'x1'),
      incoming(a, 'm2'),
      incoming(a, 'm3'),
      incoming(b, 'x2'),
      incoming(a, 'm4'),
      incoming(a, 'm5'),
    ]);

    expect(appended.map((m) => m.created)).toEqual([true, true, true, true, true, true, true]);
    expect(new Set(appended.map((m) => m.messageId)).size).toBe(7);
    expect(await page(a)).toEqual(ids);
    expect(await page(b)).toEqual(['x1', 'x2']);
  });

  it('answers a redelivered message, and a repeat within the call, with the first row, not created', async () => {
    const a = await conversation('conv_a');
    const [first] = await adapter.appendMessages([incoming(a, 'm1')]);

    const appended = await adapter.appendMessages([
      incoming(a, 'm1'),
      incoming(a, 'm2'),
      incoming(a, 'm2'),
    ]);

    expect(appended[0]).toEqual({ messageId: first.messageId, created: false });
    expect(appended[1].created).toBe(true);
    expect(appended[2]).toEqual({ messageId: appended[1].messageId, created: false });
    expect(await page(a)).toEqual(['m1', 'm2']);
  });

  it('moves each conversation to its latest message and reopens it only for a new customer message', async () => {
    const a = await conversation('conv_a');
    const b = await conversation('conv_b');
    await dataSource.query(`UPDATE conversations SET status = 'resolved'`);
    const echo: EchoMessage = {
      direction: 'outgoing',
      inboxId,
      conversationId: b,
      tiktokMessageId: 'e1',
      content: 'from the app',
      attachments: [],
      sentAt: new Date(SENT.getTime() + 5000),
    };

    await adapter.appendMessages([
      incoming(a, 'm2', 'later', new Date(SENT.getTime() + 2000)),
      incoming(a, 'm1', 'earlier', SENT),
      echo,
    ]);

    expect(await state(a)).toEqual({
      status: 'open',
      awaiting: false,
      last: new Date(SENT.getTime() + 2000),
    });
    expect(await state(b)).toEqual({ status: 'resolved', awaiting: false, last: echo.sentAt });
    const [author] = await dataSource.query<
      Array<{ author_kind: string; sent_from: string; status: string }>
    >(`SELECT author_kind, sent_from, status FROM messages WHERE external_id = 'e1'`);
    expect(author).toEqual({ author_kind: 'tiktok', sent_from: 'tiktok_app', status: 'sent' });
  });

  it("records the survey's answer from the first customer message after it, and a later message reopens", async () => {
    const a = await conversation('conv_a');
    const b = await conversation('conv_b');
    await surveyed(a, SENT);
    await surveyed(b, SENT);

    const appended = await adapter.appendMessages([
      incoming(a, 'before', '5', new Date(SENT.getTime() - 1000)), // written before the survey
      incoming(a, 'answer', '4', SENT),
      incoming(a, 'after', '5', new Date(SENT.getTime() + 1000)), // a later "5" is a message
      incoming(b, 'only', '★★★', SENT),
    ]);

    const ratings = await dataSource.query<Array<{ message_id: string; rating: number }>>(
      `SELECT message_id, rating FROM csat_ratings ORDER BY rating`,
    );
    expect(ratings).toEqual([
      { message_id: appended[3].messageId, rating: 3 },
      { message_id: appended[1].messageId, rating: 4 },
    ]);
    expect((await state(a)).status).toBe('open');
    expect((await state(a)).awaiting).toBe(false);
    // A rating alone leaves the conversation resolved.
    expect(await state(b)).toMatchObject({ status: 'resolved', awaiting: false });
  });

  it('ends the wait without a rating, and reopens, when the answer is not a rating', async () => {
    const a = await conversation('conv_a');
    await surveyed(a, SENT);

    await adapter.appendMessages([incoming(a, 'answer', 'thanks, but 4 is slow', SENT)]);

    expect(await state(a)).toMatchObject({ status: 'open', awaiting: false });
    expect(await dataSource.query(`SELECT 1 FROM csat_ratings`)).toEqual([]);
  });
});
