import { EventEmitter2 } from '@nestjs/event-emitter';
import { TiktokEvents, type MessageReceivedEvent, type TiktokAccountView } from 'tiktok-channel';
import {
  HelpdeskEvents,
  type AutomationSkippedEvent,
} from '../../apps/helpdesk/src/automation/helpdesk-events';
import { parseCsatRating } from '../../apps/helpdesk/src/csat/csat-rating';
import { basicAuthorization } from '../support/e2e-harness';
import {
  eventually,
  startHelpdeskTestApp,
  type HelpdeskTestApp,
} from './support/helpdesk-test-app';

/** Inbox settings, automation rules, CSAT, attribution and the conversation list, over the API. */
describe('the helpdesk workspace API', () => {
  let t: HelpdeskTestApp;
  let sequence = 0;

  beforeAll(async () => {
    t = await startHelpdeskTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.dataSource.query(
      'TRUNCATE inboxes, contacts, conversations, messages, automation_rules, csat_ratings CASCADE',
    );
    t.messenger.reset();
    t.accounts.accounts = [];
  });

  async function call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${t.baseUrl}${path}`, {
      method,
      headers: body === undefined ? t.auth : { ...t.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  function account(username: string): TiktokAccountView {
    return {
      accountId: `acct_${username}`,
      businessId: `biz_${username}`,
      username,
      displayName: `${username} shop`,
      status: 'active',
      scopes: [],
      accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
      refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
    };
  }

  async function inbox(username = 'shopdemo'): Promise<string> {
    const { inboxId } = await t.port.upsertInbox({ tenant: 'demo', account: account(username) });
    t.accounts.accounts.push({ ...account(username), inboxId });
    return inboxId;
  }

  async function conversation(inboxId: string, customer = 'mia.k') {
    const { contactId } = await t.port.upsertContact({
      inboxId,
      tiktokUserId: `user_${customer}`,
      username: customer,
      displayName: customer.toUpperCase(),
      avatarUrl: `https://cdn.example.test/${customer}.jpg`,
    });
    const { conversationId } = await t.port.openConversation({
      inboxId,
      contactId,
      tiktokConversationId: `conv_${customer}_${++sequence}`,
    });
    return { inboxId, contactId, conversationId };
  }

  async function customerWrites(
    ids: { inboxId: string; contactId: string; conversationId: string },
    content: string,
    sentAt = new Date(),
  ) {
    return t.port.appendMessage({
      direction: 'incoming',
      ...ids,
      tiktokMessageId: `msg_${++sequence}`,
      content,
      attachments: [],
      sentAt,
    });
  }

  type Conversation = {
    id: string;
    status: string;
    preview: string | null;
    unreadCount: number;
    csat: { rating: number } | null;
    csatAwaiting: boolean;
    contact: { avatarUrl: string | null };
  };

  async function conversationOf(id: string): Promise<Conversation> {
    return (await call<Conversation>('GET', `/api/conversations/${id}`)).body;
  }

  describe('inbox settings', () => {
    it('renames an inbox (admin only) and refuses an empty name', async () => {
      const id = await inbox();

      const renamed = await call('PATCH', `/api/inboxes/${id}`, { name: '  Shop support  ' });
      const empty = await call<{ message: string }>('PATCH', `/api/inboxes/${id}`, { name: ' ' });

      expect(renamed).toMatchObject({ status: 200, body: { id, name: 'Shop support' } });
      expect(empty.status).toBe(400);
      expect(empty.body.message).toBe('name must be a non-empty string');
      expect((await call('GET', `/api/inboxes/${id}`)).body).toMatchObject({
        name: 'Shop support',
        channel: {
          displayName: 'shopdemo shop',
          accessTokenExpiresAt: '2030-01-01T00:00:00.000Z',
          refreshTokenExpiresAt: '2031-01-01T00:00:00.000Z',
        },
      });
      // A reconnect keeps the admin's name.
      await t.port.upsertInbox({ tenant: 'demo', account: account('shopdemo'), inboxId: id });
      expect((await call('GET', `/api/inboxes/${id}`)).body).toMatchObject({
        name: 'Shop support',
      });
      expect(
        (await call('PATCH', '/api/inboxes/00000000-0000-4000-8000-000000000000', { name: 'x' }))
          .status,
      ).toBe(404);
      // An agent works in the inbox but does not change its settings or the automation.
      await call('POST', '/api/agents', {
        email: 'ana@shop.test',
        name: 'Ana',
        password: 'a long password',
      });
      const agent = {
        authorization: basicAuthorization({ email: 'ana@shop.test', password: 'a long password' }),
        'content-type': 'application/json',
      };
      const byAgent = await fetch(`${t.baseUrl}/api/inboxes/${id}`, {
        method: 'PATCH',
        headers: agent,
        body: JSON.stringify({ name: 'Mine' }),
      });
      const ruleByAgent = await fetch(`${t.baseUrl}/api/automation-rules`, {
        method: 'POST',
        headers: agent,
        body: JSON.stringify({ trigger: 'first_message', kind: 'auto_reply', content: 'Hi' }),
      });
      expect(byAgent.status).toBe(403);
      expect(ruleByAgent.status).toBe(403);
      await t.dataSource.query(`DELETE FROM users WHERE role = 'agent'`);
    });
  });

  describe('automation rules', () => {
    it('creates, edits, disables and deletes a rule', async () => {
      const created = await call<{ id: string }>('POST', '/api/automation-rules', {
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'Hi!',
      });
      const id = created.body.id;

      const edited = await call('PATCH', `/api/automation-rules/${id}`, { content: 'Hello!' });
      const disabled = await call('PATCH', `/api/automation-rules/${id}`, { enabled: false });
      expect(edited.body).toMatchObject({ content: 'Hello!', enabled: true });
      expect(disabled.body).toMatchObject({ content: 'Hello!', enabled: false });
      expect((await call('PATCH', `/api/automation-rules/${id}`, { content: '' })).status).toBe(
        400,
      );

      expect((await call('DELETE', `/api/automation-rules/${id}`)).status).toBe(204);
      expect((await call('GET', '/api/automation-rules')).body).toEqual([]);
      expect((await call('DELETE', `/api/automation-rules/${id}`)).status).toBe(404);
    });

    function received(ids: { inboxId: string; contactId: string; conversationId: string }) {
      const event: MessageReceivedEvent = {
        ...ids,
        messageId: 'm',
        tiktokMessageId: 'tt',
        content: 'Hello?',
        firstInConversation: true,
      };
      t.app.get(EventEmitter2).emit(TiktokEvents.MessageReceived, event);
    }

    it('sends an auto-reply marked as such while TikTok would deliver it', async () => {
      const ids = await conversation(await inbox());
      await customerWrites(ids, 'Hello?');
      await call('POST', '/api/automation-rules', {
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'We reply within a day.',
      });

      received(ids);

      await eventually(async () =>
        expect(
          (await call<unknown[]>('GET', `/api/conversations/${ids.conversationId}/messages`)).body,
        ).toEqual([
          expect.objectContaining({ direction: 'incoming', author: null }),
          expect.objectContaining({
            content: 'We reply within a day.',
            author: { kind: 'auto_reply', userId: null, name: null },
          }),
        ]),
      );
    });

    it('sends no auto-reply when TikTok would not deliver it (the reply window closed)', async () => {
      const ids = await conversation(await inbox());
      await customerWrites(ids, 'Hello?', new Date(Date.now() - 3 * 24 * 3600 * 1000));
      await call('POST', '/api/automation-rules', {
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'We reply within a day.',
      });
      t.messenger.sendingState = {
        canSend: false,
        reason: 'reply_window_expired',
        replyWindowEndsAt: new Date(Date.now() - 24 * 3600 * 1000),
        remainingMessages: 0,
        imageSend: 'unknown',
      };
      const skipped = new Promise<AutomationSkippedEvent>((resolve) =>
        t.app.get(EventEmitter2).once(HelpdeskEvents.AutomationSkipped, resolve),
      );

      received(ids);

      expect(await skipped).toMatchObject({
        conversationId: ids.conversationId,
        reason: 'reply_window_expired',
      });
      expect(t.messenger.calls).toEqual([]);
      const messages = (
        await call<unknown[]>('GET', `/api/conversations/${ids.conversationId}/messages`)
      ).body;
      expect(messages).toHaveLength(1);
    });
  });

  describe('CSAT', () => {
    async function surveyed(ids: { conversationId: string }) {
      await call('POST', '/api/automation-rules', {
        trigger: 'conversation_resolved',
        kind: 'csat',
        content: 'How did we do? Reply with a number from 1 (bad) to 5 (great).',
      });
      await call('POST', `/api/conversations/${ids.conversationId}/resolve`);
      await eventually(async () =>
        expect((await conversationOf(ids.conversationId)).csatAwaiting).toBe(true),
      );
    }

    it('records a 1–5 answer as a rating, shows it, reports it, and keeps the conversation resolved', async () => {
      const inboxId = await inbox();
      const ids = await conversation(inboxId);
      await customerWrites(ids, 'Where is my parcel?');
      await surveyed(ids);
      const survey = (
        await call<Array<{ author: unknown }>>(
          'GET',
          `/api/conversations/${ids.conversationId}/messages`,
        )
      ).body;
      expect(survey[survey.length - 1].author).toEqual({ kind: 'csat', userId: null, name: null });

      const answer = await customerWrites(ids, ' 4 ', new Date(Date.now() + 1000));
      // TikTok redelivers: the same message again counts once.
      await t.port.appendMessage({
        direction: 'incoming',
        ...ids,
        tiktokMessageId: `msg_${sequence}`,
        content: ' 4 ',
        attachments: [],
        sentAt: new Date(),
      });

      expect(answer.created).toBe(true);
      expect(await conversationOf(ids.conversationId)).toMatchObject({
        status: 'resolved',
        csat: { rating: 4 },
        csatAwaiting: false,
      });
      const report = await call('GET', '/api/csat-report');
      expect(report.body).toEqual([
        {
          inboxId,
          inboxName: 'TikTok @shopdemo',
          responses: 1,
          average: 4,
          distribution: [0, 0, 0, 1, 0],
          awaiting: 0,
        },
      ]);
      // Only the survey's answer is a rating: a later "5" is a message like any other.
      await customerWrites(ids, '5', new Date(Date.now() + 2000));
      expect(await conversationOf(ids.conversationId)).toMatchObject({
        status: 'open',
        csat: { rating: 4 },
      });
    });

    it('reopens the conversation when the answer is not a rating', async () => {
      const ids = await conversation(await inbox());
      await customerWrites(ids, 'Where is my parcel?');
      await surveyed(ids);

      await customerWrites(ids, 'It still has not arrived', new Date(Date.now() + 1000));

      expect(await conversationOf(ids.conversationId)).toMatchObject({
        status: 'open',
        csat: null,
        csatAwaiting: false,
      });
      expect(
        (await call<Array<{ responses: number }>>('GET', '/api/csat-report')).body[0].responses,
      ).toBe(0);
    });

    it('reads ratings written as digits, "n/5" or stars, and nothing else', () => {
      expect(['1', ' 5 ', '3/5', '4.', '⭐⭐⭐', '★★★★★'].map(parseCsatRating)).toEqual([
        1, 5, 3, 4, 3, 5,
      ]);
      expect(
        ['0', '6', '45', '4 but slow', 'thanks', '', '⭐⭐⭐⭐⭐⭐'].map(parseCsatRating),
      ).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    });
  });

  describe('the conversation list', () => {
    it('gives each conversation a preview, an unread count and the contact’s avatar, across inboxes', async () => {
      const first = await conversation(await inbox('shopone'), 'ana');
      const second = await conversation(await inbox('shoptwo'), 'bo');
      await customerWrites(first, 'Hello');
      await customerWrites(first, 'Is anyone there?\nPlease answer');
      await customerWrites(second, 'x'.repeat(200));

      const all = (await call<Conversation[]>('GET', '/api/conversations')).body;

      expect(all).toHaveLength(2);
      const one = all.find((c) => c.id === first.conversationId);
      expect(one).toMatchObject({
        preview: 'Is anyone there? Please answer',
        unreadCount: 2,
        contact: { avatarUrl: 'https://cdn.example.test/ana.jpg' },
      });
      expect(all.find((c) => c.id === second.conversationId)?.preview).toBe(`${'x'.repeat(79)}…`);

      expect((await call('POST', `/api/conversations/${first.conversationId}/seen`)).status).toBe(
        204,
      );
      expect((await conversationOf(first.conversationId)).unreadCount).toBe(0);
      await customerWrites(first, 'Hello again');
      expect((await conversationOf(first.conversationId)).unreadCount).toBe(1);
    });

    it('reopens a resolved conversation', async () => {
      const ids = await conversation(await inbox());
      await customerWrites(ids, 'Hi');
      await call('POST', `/api/conversations/${ids.conversationId}/resolve`);

      const reopened = await call('POST', `/api/conversations/${ids.conversationId}/reopen`);

      expect(reopened).toMatchObject({ status: 200, body: { status: 'open' } });
    });
  });

  describe('attribution', () => {
    it('marks a message the business typed in the TikTok app', async () => {
      const ids = await conversation(await inbox());
      await customerWrites(ids, 'Hi');
      await t.port.appendMessage({
        direction: 'outgoing',
        inboxId: ids.inboxId,
        conversationId: ids.conversationId,
        tiktokMessageId: 'echo_1',
        content: 'Answered from my phone',
        attachments: [],
        sentAt: new Date(),
        sentFrom: 'tiktok_app',
      });

      const messages = (
        await call<Array<Record<string, unknown>>>(
          'GET',
          `/api/conversations/${ids.conversationId}/messages`,
        )
      ).body;

      expect(messages[1]).toMatchObject({
        content: 'Answered from my phone',
        author: { kind: 'tiktok', userId: null, name: null },
        sentFrom: 'tiktok_app',
      });
    });
  });
});
