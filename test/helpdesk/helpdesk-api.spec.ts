import { EventEmitter2 } from '@nestjs/event-emitter';
import { TiktokEvents, type MessageReceivedEvent, type TiktokAccountView } from 'tiktok-channel';
import {
  eventually,
  startHelpdeskTestApp,
  type HelpdeskTestApp,
} from './support/helpdesk-test-app';

/** What a message shows when TikTok said nothing more about it (no type, quote, reaction...). */
const NO_TIKTOK_DETAILS = {
  tiktokType: null,
  reactions: [],
  replyTo: null,
  sentFrom: null,
  isFollower: null,
  autoMessageType: null,
};

describe('the helpdesk REST API', () => {
  let t: HelpdeskTestApp;

  beforeAll(async () => {
    t = await startHelpdeskTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.dataSource.query(
      'TRUNCATE inboxes, contacts, conversations, messages, automation_rules CASCADE',
    );
    t.messenger.reset();
    t.accounts.accounts = [];
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${t.baseUrl}${path}`, {
      method,
      headers: body === undefined ? t.auth : { ...t.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  function account(accountId: string, username: string): TiktokAccountView {
    return {
      accountId,
      businessId: `biz_${username}`,
      username,
      displayName: username,
      status: 'active',
      scopes: [],
      accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'),
      refreshTokenExpiresAt: new Date('2031-01-01T00:00:00Z'),
    };
  }

  /** An inbox with one conversation and one customer message, made through the port like the library does. */
  async function seedConversation(
    tiktokConversationId = 'conv_1',
    sentAt = new Date('2025-11-24T10:00:00Z'),
  ) {
    const { inboxId } = await t.port.upsertInbox({
      tenant: 'demo',
      account: account('acct-1', 'shopdemo'),
    });
    const { contactId } = await t.port.upsertContact({
      inboxId,
      tiktokUserId: `user_${tiktokConversationId}`,
      username: 'mia.k',
      displayName: 'Mia K',
    });
    const { conversationId } = await t.port.openConversation({
      inboxId,
      contactId,
      tiktokConversationId,
    });
    const { messageId } = await t.port.appendMessage({
      direction: 'incoming',
      inboxId,
      conversationId,
      contactId,
      tiktokMessageId: `msg_in_${tiktokConversationId}`,
      content: 'Is the blue one in stock?',
      attachments: [],
      sentAt,
    });
    return { inboxId, contactId, conversationId, messageId };
  }

  async function messagesOf(conversationId: string): Promise<Array<Record<string, unknown>>> {
    const response = await call('GET', `/api/conversations/${conversationId}/messages`);
    return response.body as Array<Record<string, unknown>>;
  }

  describe('inboxes', () => {
    it('lists inboxes with the TikTok channel details the library keeps', async () => {
      const { inboxId } = await t.port.upsertInbox({
        tenant: 'demo',
        account: account('acct-1', 'shopdemo'),
      });
      t.accounts.accounts = [{ ...account('acct-1', 'shopdemo'), inboxId }];

      const response = await call('GET', '/api/inboxes');

      expect(response).toEqual({
        status: 200,
        body: [
          {
            id: inboxId,
            name: 'TikTok @shopdemo',
            channel: {
              type: 'tiktok',
              businessId: 'biz_shopdemo',
              username: 'shopdemo',
              status: 'active',
              accessTokenExpiresAt: '2030-01-01T00:00:00.000Z',
              refreshTokenExpiresAt: '2031-01-01T00:00:00.000Z',
              displayName: 'shopdemo',
              profileImageUrl: null,
              profileRefreshedAt: null,
            },
          },
        ],
      });
    });

    it('shows the status the port recorded for an inbox whose account the library no longer lists', async () => {
      const { inboxId } = await t.port.upsertInbox({
        tenant: 'demo',
        account: account('acct-1', 'shopdemo'),
      });
      await t.port.onAccountStatus({ inboxId, status: 'disconnected' });

      const response = await call('GET', '/api/inboxes');

      expect(response.body).toEqual([
        expect.objectContaining({
          id: inboxId,
          channel: expect.objectContaining({ status: 'disconnected', businessId: null }),
        }),
      ]);
    });
  });

  describe('conversations', () => {
    it('lists the conversations of an inbox, most recent first, with their contact', async () => {
      const older = await seedConversation('conv_old', new Date('2025-11-24T09:00:00Z'));
      const newer = await seedConversation('conv_new', new Date('2025-11-24T11:00:00Z'));

      const response = await call('GET', `/api/conversations?inboxId=${older.inboxId}`);

      expect(response.status).toBe(200);
      expect(response.body).toEqual([
        {
          id: newer.conversationId,
          inboxId: newer.inboxId,
          status: 'open',
          contact: {
            id: newer.contactId,
            name: 'Mia K',
            username: 'mia.k',
            tiktokUserId: 'user_conv_new',
            avatarUrl: null,
          },
          lastMessageAt: '2025-11-24T11:00:00.000Z',
          preview: 'Is the blue one in stock?',
          previewDirection: 'incoming',
          unreadCount: 1,
          csat: null,
          csatAwaiting: false,
        },
        expect.objectContaining({
          id: older.conversationId,
          lastMessageAt: '2025-11-24T09:00:00.000Z',
        }),
      ]);
    });

    it('rejects a conversation filter that is not an inbox id', async () => {
      const response = await call('GET', '/api/conversations?inboxId=nope');

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ message: 'inboxId must be a UUID' });
    });

    it('resolves a conversation and sends the satisfaction survey once', async () => {
      const { conversationId } = await seedConversation();
      await call('POST', '/api/automation-rules', {
        trigger: 'conversation_resolved',
        kind: 'csat',
        content: 'How did we do? Reply 1 to 5.',
        enabled: true,
      });

      const first = await call('POST', `/api/conversations/${conversationId}/resolve`);
      const again = await call('POST', `/api/conversations/${conversationId}/resolve`);

      expect(first).toMatchObject({
        status: 200,
        body: { id: conversationId, status: 'resolved' },
      });
      expect(again).toMatchObject({ status: 200, body: { status: 'resolved' } });
      await eventually(() => expect(t.messenger.calls).toHaveLength(1));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(t.messenger.calls).toEqual([
        { conversationId, messageId: expect.any(String), text: 'How did we do? Reply 1 to 5.' },
      ]);
      const messages = await messagesOf(conversationId);
      expect(messages[messages.length - 1]).toMatchObject({
        direction: 'outgoing',
        content: 'How did we do? Reply 1 to 5.',
        status: 'sent',
      });
    });

    it('answers 404 when resolving an unknown conversation', async () => {
      const response = await call(
        'POST',
        '/api/conversations/00000000-0000-4000-8000-000000000000/resolve',
      );

      expect(response.status).toBe(404);
    });
  });

  describe('messages', () => {
    it('lists the messages of a conversation oldest first, with attachments and delivery details', async () => {
      const { inboxId, contactId, conversationId } = await seedConversation();
      await t.port.appendMessage({
        direction: 'incoming',
        inboxId,
        conversationId,
        contactId,
        tiktokMessageId: 'msg_earlier',
        content: '',
        attachments: [
          {
            kind: 'image',
            url: 'https://cdn.example.test/p.jpg',
            mimeType: 'image/jpeg',
            tiktokMediaId: 'm1',
          },
        ],
        sentAt: new Date('2025-11-24T09:59:00Z'),
      });

      const messages = await messagesOf(conversationId);

      expect(messages).toEqual([
        {
          id: expect.any(String),
          direction: 'incoming',
          content: '',
          attachments: [
            {
              kind: 'image',
              url: 'https://cdn.example.test/p.jpg',
              mimeType: 'image/jpeg',
              contentType: 'image/jpeg',
              size: null,
              fileName: null,
              videoId: null,
              unavailableReason: null,
            },
          ],
          status: 'received',
          failureReason: null,
          failureDetail: null,
          externalId: 'msg_earlier',
          sentAt: '2025-11-24T09:59:00.000Z',
          parts: [],
          ...NO_TIKTOK_DETAILS,
          author: null,
        },
        expect.objectContaining({
          content: 'Is the blue one in stock?',
          externalId: 'msg_in_conv_1',
        }),
      ]);
    });

    it('answers 404 for the messages of an unknown or malformed conversation id', async () => {
      expect(
        (await call('GET', '/api/conversations/00000000-0000-4000-8000-000000000000/messages'))
          .status,
      ).toBe(404);
      expect((await call('GET', '/api/conversations/not-an-id/messages')).status).toBe(404);
    });

    it('sends a reply and returns it as stored after the send: sent, with the TikTok message id', async () => {
      const { conversationId } = await seedConversation();

      const response = await call('POST', `/api/conversations/${conversationId}/messages`, {
        content: 'Yes, it is!',
      });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        direction: 'outgoing',
        content: 'Yes, it is!',
        attachments: [],
        status: 'sent',
        failureReason: null,
        failureDetail: null,
        externalId: 'tt_out_1',
        sentAt: expect.any(String),
        parts: [],
        ...NO_TIKTOK_DETAILS,
        // The reply is signed with the name of the agent who sent it.
        author: { kind: 'agent', userId: expect.any(String), name: 'Admin' },
      });
      expect(t.messenger.calls).toEqual([
        { conversationId, messageId: (response.body as { id: string }).id, text: 'Yes, it is!' },
      ]);
      expect((await messagesOf(conversationId)).map((m) => m.content)).toEqual([
        'Is the blue one in stock?',
        'Yes, it is!',
      ]);
    });

    it('returns a reply TikTok refused as failed with the reason, not as an HTTP error', async () => {
      const { conversationId } = await seedConversation();
      t.messenger.behaviour = { status: 'failed', reason: 'reply_window_expired' };

      const response = await call('POST', `/api/conversations/${conversationId}/messages`, {
        content: 'Sorry for the wait',
      });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        status: 'failed',
        failureReason: 'reply_window_expired',
        externalId: null,
      });
    });

    it.each([
      ['an empty reply', { content: '' }],
      ['a blank reply', { content: '  \n ' }],
      ['a reply without content', {}],
      ['a reply whose content is not text', { content: 42 }],
    ])('rejects %s with a 400 that says why', async (_name, body) => {
      const { conversationId } = await seedConversation();

      const response = await call('POST', `/api/conversations/${conversationId}/messages`, body);

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ message: 'content must be a non-empty string' });
      expect(t.messenger.calls).toEqual([]);
    });

    it('answers 404 when replying to an unknown conversation, and stores nothing', async () => {
      const response = await call(
        'POST',
        '/api/conversations/00000000-0000-4000-8000-000000000000/messages',
        {
          content: 'Hello?',
        },
      );

      expect(response.status).toBe(404);
      const [{ n }] = await t.dataSource.query<Array<{ n: number }>>(
        'SELECT count(*)::int AS n FROM messages',
      );
      expect(n).toBe(0);
    });

    it('marks a reply failed when the messenger throws, so it does not look as if it were still on its way', async () => {
      const { conversationId } = await seedConversation();
      t.messenger.behaviour = { status: 'throw' };

      const response = await call('POST', `/api/conversations/${conversationId}/messages`, {
        content: 'Hi',
      });

      expect(response.status).toBe(500);
      const messages = await messagesOf(conversationId);
      expect(messages[1]).toMatchObject({
        content: 'Hi',
        status: 'failed',
        failureReason: 'unknown',
      });
    });
  });

  describe('automation', () => {
    function received(
      ids: { inboxId: string; conversationId: string; contactId: string; messageId: string },
      first: boolean,
    ) {
      const event: MessageReceivedEvent = {
        ...ids,
        tiktokMessageId: 'msg_in_conv_1',
        content: 'Is the blue one in stock?',
        firstInConversation: first,
      };
      t.app.get(EventEmitter2).emit(TiktokEvents.MessageReceived, event);
    }

    it('answers the first message of a new conversation with each enabled auto-reply rule', async () => {
      const ids = await seedConversation();
      await call('POST', '/api/automation-rules', {
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'Thanks! We reply within a day.',
      });
      await call('POST', '/api/automation-rules', {
        inboxId: ids.inboxId,
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'Disabled one',
        enabled: false,
      });

      received(ids, true);

      await eventually(async () =>
        expect(await messagesOf(ids.conversationId)).toEqual([
          expect.objectContaining({ direction: 'incoming' }),
          expect.objectContaining({
            direction: 'outgoing',
            content: 'Thanks! We reply within a day.',
            status: 'sent',
          }),
        ]),
      );
      expect(t.messenger.calls).toHaveLength(1);
    });

    it('does not auto-reply to a message in a conversation that already existed', async () => {
      const ids = await seedConversation();
      await call('POST', '/api/automation-rules', {
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'Thanks!',
      });

      received(ids, false);
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(t.messenger.calls).toEqual([]);
    });

    it('keeps the received message when the auto-reply fails', async () => {
      const ids = await seedConversation();
      await call('POST', '/api/automation-rules', {
        trigger: 'first_message',
        kind: 'auto_reply',
        content: 'Thanks!',
      });
      t.messenger.behaviour = { status: 'throw' };

      received(ids, true);

      await eventually(async () =>
        expect(await messagesOf(ids.conversationId)).toEqual([
          expect.objectContaining({
            direction: 'incoming',
            content: 'Is the blue one in stock?',
            status: 'received',
          }),
          expect.objectContaining({
            direction: 'outgoing',
            content: 'Thanks!',
            status: 'failed',
            failureReason: 'unknown',
          }),
        ]),
      );
    });

    it('creates and lists automation rules, enabled unless said otherwise', async () => {
      const created = await call('POST', '/api/automation-rules', {
        trigger: 'conversation_resolved',
        kind: 'csat',
        content: 'Rate us',
      });

      expect(created).toMatchObject({
        status: 201,
        body: {
          id: expect.any(String),
          inboxId: null,
          trigger: 'conversation_resolved',
          kind: 'csat',
          enabled: true,
        },
      });
      expect((await call('GET', '/api/automation-rules')).body).toEqual([created.body]);
    });

    it.each([
      [
        { trigger: 'first_message', kind: 'csat', content: 'x' },
        'a csat rule fires on conversation_resolved, not first_message',
      ],
      [
        { trigger: 'whenever', kind: 'auto_reply', content: 'x' },
        'trigger must be one of: first_message, conversation_resolved',
      ],
      [
        {
          inboxId: '00000000-0000-4000-8000-000000000000',
          trigger: 'first_message',
          kind: 'auto_reply',
          content: 'x',
        },
        'inboxId 00000000-0000-4000-8000-000000000000 does not name an inbox',
      ],
    ])('rejects the automation rule %j with a 400', async (body, message) => {
      const response = await call('POST', '/api/automation-rules', body);

      expect(response).toMatchObject({ status: 400, body: { message } });
    });
  });
});
