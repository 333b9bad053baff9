import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { InboundMessage, TiktokAccountView } from 'tiktok-channel';
import { InboundAttachmentStore } from '../../apps/helpdesk/src/attachments/inbound-attachment.store';
import { HelpdeskTiktokAdapter } from '../../apps/helpdesk/src/tiktok/helpdesk-tiktok.adapter';
import { openHelpdeskDatabase, type HelpdeskDatabase } from '../support/helpdesk-database';

function account(overrides: Partial<TiktokAccountView> = {}): TiktokAccountView {
  return {
    accountId: 'acct-1',
    businessId: 'biz_0001',
    username: 'shopdemo',
    displayName: 'Shop Demo',
    status: 'active',
    scopes: ['user.info.basic', 'message.list.read', 'message.list.send', 'message.list.manage'],
    accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
    refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('HelpdeskTiktokAdapter', () => {
  let database: HelpdeskDatabase;
  let dataSource: DataSource;
  let adapter: HelpdeskTiktokAdapter;
  let attachmentsDirectory: string;

  beforeAll(async () => {
    database = await openHelpdeskDatabase();
    dataSource = database.dataSource;
    attachmentsDirectory = await mkdtemp(join(tmpdir(), 'adapter-spec-'));
    adapter = new HelpdeskTiktokAdapter(
      dataSource,
      new InboundAttachmentStore(attachmentsDirectory, dataSource),
    );
  });

  afterAll(async () => {
    await database?.close();
    if (attachmentsDirectory) await rm(attachmentsDirectory, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await dataSource.query(
      'TRUNCATE inboxes, contacts, conversations, messages, automation_rules CASCADE',
    );
  });

  async function count(table: string): Promise<number> {
    const [row] = await dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM ${table}`,
    );
    return row.n;
  }

  async function conversationWithContact(): Promise<{
    inboxId: string;
    contactId: string;
    conversationId: string;
  }> {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account: account() });
    const { contactId } = await adapter.upsertContact({
      inboxId,
      tiktokUserId: 'user_77',
      username: 'mia.k',
    });
    const { conversationId } = await adapter.openConversation({
      inboxId,
      contactId,
      tiktokConversationId: 'conv_42',
    });
    return { inboxId, contactId, conversationId };
  }

  function inbound(
    ids: { inboxId: string; contactId: string; conversationId: string },
    tiktokMessageId: string,
  ) {
    const message: InboundMessage = {
      direction: 'incoming',
      ...ids,
      tiktokMessageId,
      content: 'Is the blue one in stock?',
      attachments: [{ kind: 'image', url: 'https://example.test/a.jpg', mimeType: 'image/jpeg' }],
      sentAt: new Date('2025-11-24T10:00:00Z'),
    };
    return message;
  }

  it('creates an inbox named after the account once, however often the same account connects', async () => {
    const first = await adapter.upsertInbox({ tenant: 'demo', account: account() });
    const again = await adapter.upsertInbox({ tenant: 'demo', account: account() });

    expect(again.inboxId).toBe(first.inboxId);
    const rows = await dataSource.query<
      Array<{ name: string; channel_type: string; channel_status: string }>
    >('SELECT name, channel_type, channel_status FROM inboxes');
    expect(rows).toEqual([
      { name: 'TikTok @shopdemo', channel_type: 'tiktok', channel_status: 'active' },
    ]);
  });

  it('updates the given inbox on reconnect instead of creating another one', async () => {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account: account() });
    await adapter.onAccountStatus({
      inboxId,
      status: 'reauthorization_required',
      reason: 'refresh token revoked',
    });

    const reconnected = await adapter.upsertInbox({
      tenant: 'demo',
      account: account({ username: 'renamed' }),
      inboxId,
    });

    expect(reconnected.inboxId).toBe(inboxId);
    const rows = await dataSource.query<Array<{ name: string; channel_status: string }>>(
      'SELECT name, channel_status FROM inboxes',
    );
    expect(rows).toEqual([{ name: 'TikTok @shopdemo', channel_status: 'active' }]);
  });

  it('records a lost grant on the inbox so the page can offer to reconnect it', async () => {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account: account() });

    await adapter.onAccountStatus({ inboxId, status: 'reauthorization_required' });

    const [row] = await dataSource.query<Array<{ channel_status: string }>>(
      'SELECT channel_status FROM inboxes WHERE id = $1',
      [inboxId],
    );
    expect(row.channel_status).toBe('reauthorization_required');
  });

  it('keeps one contact per TikTok user and inbox, and keeps known details when a repeat knows less', async () => {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account: account() });

    const first = await adapter.upsertContact({
      inboxId,
      tiktokUserId: 'user_77',
      username: 'mia.k',
      displayName: 'Mia K',
    });
    const again = await adapter.upsertContact({ inboxId, tiktokUserId: 'user_77' });

    expect(again.contactId).toBe(first.contactId);
    const rows = await dataSource.query<Array<{ name: string; username: string }>>(
      'SELECT name, username FROM contacts',
    );
    expect(rows).toEqual([{ name: 'Mia K', username: 'mia.k' }]);
  });

  it('opens a conversation once and reports it as new only the first time', async () => {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account: account() });
    const { contactId } = await adapter.upsertContact({ inboxId, tiktokUserId: 'user_77' });

    const first = await adapter.openConversation({
      inboxId,
      contactId,
      tiktokConversationId: 'conv_42',
    });
    const again = await adapter.openConversation({
      inboxId,
      contactId,
      tiktokConversationId: 'conv_42',
    });

    expect(first.isNew).toBe(true);
    expect(again).toEqual({ conversationId: first.conversationId, isNew: false });
    expect(await count('conversations')).toBe(1);
  });

  it('opens one conversation when the same TikTok conversation arrives concurrently', async () => {
    const { inboxId } = await adapter.upsertInbox({ tenant: 'demo', account: account() });
    const { contactId } = await adapter.upsertContact({ inboxId, tiktokUserId: 'user_77' });

    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        adapter.openConversation({ inboxId, contactId, tiktokConversationId: 'conv_42' }),
      ),
    );

    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(results.filter((r) => r.isNew)).toHaveLength(1);
  });

  it('stores a redelivered TikTok message once and says the repeat was not created', async () => {
    const ids = await conversationWithContact();

    const first = await adapter.appendMessage(inbound(ids, 'msg_9001'));
    const again = await adapter.appendMessage(inbound(ids, 'msg_9001'));

    expect(first.created).toBe(true);
    expect(again).toEqual({ messageId: first.messageId, created: false });
    const rows = await dataSource.query<Array<Record<string, unknown>>>(
      'SELECT direction, content, attachments, status, external_id FROM messages',
    );
    expect(rows).toEqual([
      {
        direction: 'incoming',
        content: 'Is the blue one in stock?',
        attachments: [{ kind: 'image', url: 'https://example.test/a.jpg', mimeType: 'image/jpeg' }],
        status: 'received',
        external_id: 'msg_9001',
      },
    ]);
  });

  it('stores one row when the same TikTok message is appended concurrently', async () => {
    const ids = await conversationWithContact();

    const results = await Promise.all(
      Array.from({ length: 5 }, () => adapter.appendMessage(inbound(ids, 'msg_1'))),
    );

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(await count('messages')).toBe(1);
  });

  it('reopens a resolved conversation when the customer writes again', async () => {
    const ids = await conversationWithContact();
    await dataSource.query(`UPDATE conversations SET status = 'resolved' WHERE id = $1`, [
      ids.conversationId,
    ]);

    await adapter.appendMessage(inbound(ids, 'msg_2'));

    const [row] = await dataSource.query<Array<{ status: string; last_message_at: Date }>>(
      'SELECT status, last_message_at FROM conversations WHERE id = $1',
      [ids.conversationId],
    );
    expect(row.status).toBe('open');
    expect(row.last_message_at.toISOString()).toBe('2025-11-24T10:00:00.000Z');
  });

  it('stores a message the business sent from the TikTok app as an outgoing, sent message', async () => {
    const ids = await conversationWithContact();

    await adapter.appendMessage({
      direction: 'outgoing',
      inboxId: ids.inboxId,
      conversationId: ids.conversationId,
      tiktokMessageId: 'msg_echo',
      content: 'Typed in the app',
      attachments: [],
      sentAt: new Date('2025-11-24T10:05:00Z'),
    });

    const rows = await dataSource.query<Array<{ direction: string; status: string }>>(
      'SELECT direction, status FROM messages',
    );
    expect(rows).toEqual([{ direction: 'outgoing', status: 'sent' }]);
  });

  async function pendingOutgoing(conversationId: string): Promise<string> {
    const [row] = await dataSource.query<Array<{ id: string }>>(
      `INSERT INTO messages (conversation_id, direction, content, status)
       VALUES ($1, 'outgoing', 'Yes, it is!', 'pending') RETURNING id`,
      [conversationId],
    );
    return row.id;
  }

  async function message(id: string): Promise<Record<string, unknown>> {
    const [row] = await dataSource.query<Array<Record<string, unknown>>>(
      'SELECT status, failure_reason, external_id, sent_at FROM messages WHERE id = $1',
      [id],
    );
    return row;
  }

  it('records the TikTok message id and the send time when a message is sent', async () => {
    const { conversationId } = await conversationWithContact();
    const messageId = await pendingOutgoing(conversationId);
    const at = new Date('2025-11-24T10:01:00Z');

    await adapter.updateMessageStatus({
      messageId,
      status: 'sent',
      tiktokMessageId: 'msg_out_1',
      at,
    });
    await adapter.updateMessageStatus({
      messageId,
      status: 'sent',
      tiktokMessageId: 'msg_out_1',
      at: new Date(),
    });

    expect(await message(messageId)).toEqual({
      status: 'sent',
      failure_reason: null,
      external_id: 'msg_out_1',
      sent_at: at,
    });
  });

  it('records why a message failed', async () => {
    const { conversationId } = await conversationWithContact();
    const messageId = await pendingOutgoing(conversationId);

    await adapter.updateMessageStatus({
      messageId,
      status: 'failed',
      reason: 'reply_window_expired',
      at: new Date(),
    });

    expect(await message(messageId)).toMatchObject({
      status: 'failed',
      failure_reason: 'reply_window_expired',
    });
  });

  it('does not let a late sent report undo a read receipt', async () => {
    const { conversationId } = await conversationWithContact();
    const messageId = await pendingOutgoing(conversationId);

    await adapter.updateMessageStatus({ messageId, status: 'read', at: new Date() });
    await adapter.updateMessageStatus({
      messageId,
      status: 'sent',
      tiktokMessageId: 'msg_out_2',
      at: new Date(),
    });

    expect(await message(messageId)).toMatchObject({ status: 'read', external_id: 'msg_out_2' });
  });

  it('lets a retried send succeed after a failure and clears the failure reason', async () => {
    const { conversationId } = await conversationWithContact();
    const messageId = await pendingOutgoing(conversationId);

    await adapter.updateMessageStatus({
      messageId,
      status: 'failed',
      reason: 'tiktok_unavailable',
      at: new Date(),
    });
    await adapter.updateMessageStatus({
      messageId,
      status: 'sent',
      tiktokMessageId: 'msg_out_3',
      at: new Date(),
    });

    expect(await message(messageId)).toMatchObject({
      status: 'sent',
      failure_reason: null,
      external_id: 'msg_out_3',
    });
  });
});
