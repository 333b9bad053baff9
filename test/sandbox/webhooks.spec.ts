import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RunningSandbox } from 'tiktok-sandbox';
import {
  APP_ID,
  APP_SECRET,
  TokenData,
  WebhookReceiver,
  api,
  connectAccount,
  control,
  createUser,
  registerWebhook,
  sendText,
  signatureIsValid,
  startTestSandbox,
  userWrites,
  waitUntil,
} from './sandbox-kit';

interface DeliveryStats {
  attempts: number;
  succeeded: number;
  failed: number;
  abandoned: number;
  pending: number;
  byStatus: Record<string, number>;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('TikTok sandbox webhook delivery', () => {
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let shop: TokenData;
  let mia: string;

  async function deliveryStats(): Promise<DeliveryStats> {
    const { body } = await control<{ webhookDeliveries: DeliveryStats }>(
      sandbox,
      'GET',
      '/sandbox/stats',
    );
    return body.webhookDeliveries;
  }

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'POST', '/sandbox/reset');
    receiver.clear();
    shop = await connectAccount(sandbox, 'shopdemo');
    mia = await createUser(sandbox, 'mia.k');
    await registerWebhook(sandbox, receiver.url);
  });

  it("delivers a person's message as im_receive_msg with content as a JSON string", async () => {
    const written = await userWrites(sandbox, mia, shop.open_id, 'Is the blue one in stock?');
    expect(written.webhook).toBe('queued');
    const [delivery] = await receiver.waitForCount(1);

    expect(delivery.headers['content-type']).toContain('application/json');
    expect(delivery.body).toEqual({
      client_key: APP_ID,
      event: 'im_receive_msg',
      create_time: expect.any(Number),
      user_openid: shop.open_id,
      content: expect.any(String),
    });
    expect(String(delivery.body.create_time)).toHaveLength(10);
    expect(delivery.content).toEqual({
      conversation_id: written.conversationId,
      message_id: written.messageId,
      timestamp: expect.any(Number),
      type: 'text',
      text: { body: 'Is the blue one in stock?' },
      from: 'mia.k',
      to: 'shopdemo',
      from_user: { id: mia, role: 'personal_account' },
      to_user: { id: shop.open_id, role: 'business_account' },
    });
    expect(String(delivery.content.timestamp)).toHaveLength(13);
  });

  it('signs the raw body bytes, so a re-serialised body does not verify', async () => {
    await userWrites(sandbox, mia, shop.open_id, 'Ünïcødé 😀 "quotes"');
    const [delivery] = await receiver.waitForCount(1);
    expect(delivery.signatureValid).toBe(true);
    expect(Math.abs(delivery.signedAt - Date.now() / 1000)).toBeLessThan(5);

    const header = String(delivery.headers['tiktok-signature']);
    expect(header).toMatch(/^t=\d+,s=[0-9a-f]{64}$/);
    const reserialised = Buffer.from(
      JSON.stringify(JSON.parse(delivery.rawBody.toString()), null, 1),
    );
    expect(signatureIsValid(header, reserialised, APP_SECRET)).toBe(false);
    expect(signatureIsValid(header, delivery.rawBody, 'another secret')).toBe(false);
  });

  it('delivers the im_send_msg echo of a send only after the send has answered', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await receiver.waitForCount(1);

    let answered = false;
    const sending = sendText(sandbox, shop, conversationId, 'Hi Mia!').then((envelope) => {
      answered = true;
      return envelope;
    });
    const echoSeenBeforeAnswer = receiver.waitForCount(2).then(() => !answered);
    const sent = await sending;
    expect(await echoSeenBeforeAnswer).toBe(false);

    const echo = receiver.received[1];
    expect(echo.signatureValid).toBe(true);
    expect(echo.body.event).toBe('im_send_msg');
    expect(echo.body.user_openid).toBe(shop.open_id);
    expect(echo.content).toMatchObject({
      conversation_id: conversationId,
      message_id: sent.data.message.message_id,
      type: 'text',
      text: { body: 'Hi Mia!' },
      from: 'shopdemo',
      to: 'mia.k',
      from_user: { id: shop.open_id, role: 'business_account' },
      to_user: { id: mia, role: 'personal_account' },
    });
  });

  it('retries a failed delivery with the same bytes and records every status', async () => {
    receiver.answerNext(500, 500);
    await userWrites(sandbox, mia, shop.open_id, 'Retry me');
    const deliveries = await receiver.waitForCount(3);

    expect(deliveries.map((delivery) => delivery.answeredWith)).toEqual([500, 500, 200]);
    expect(new Set(deliveries.map((delivery) => delivery.rawBody.toString())).size).toBe(1);
    expect(deliveries.every((delivery) => delivery.signatureValid)).toBe(true);
    await waitUntil(async () => (await deliveryStats()).pending === 0);
    expect(await deliveryStats()).toMatchObject({
      attempts: 3,
      succeeded: 1,
      failed: 2,
      abandoned: 0,
      byStatus: { '500': 2, '200': 1 },
    });
  });

  it('gives up after the last attempt and counts the delivery as abandoned', async () => {
    receiver.answerNext(503, 503, 503, 503);
    await userWrites(sandbox, mia, shop.open_id, 'Nobody home');
    await receiver.waitForCount(4);
    await waitUntil(async () => (await deliveryStats()).abandoned === 1);
    expect(await deliveryStats()).toMatchObject({
      attempts: 4,
      succeeded: 0,
      byStatus: { '503': 4 },
    });
  });

  it('answers API and control calls without waiting for an unreachable callback', async () => {
    await registerWebhook(sandbox, `http://127.0.0.1:${await closedPort()}/gone`);
    const started = Date.now();
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello?');
    expect((await sendText(sandbox, shop, conversationId, 'Hello!')).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
    await waitUntil(async () => ((await deliveryStats()).byStatus.network_error ?? 0) >= 2);
  });

  it('redelivers the exact same bytes with a fresh signature on request', async () => {
    const { messageId } = await userWrites(sandbox, mia, shop.open_id, 'Duplicate me');
    await receiver.waitForCount(1);
    const redelivery = await control(sandbox, 'POST', '/sandbox/webhooks/redeliver', { messageId });
    expect(redelivery.status).toBe(202);
    const [first, second] = await receiver.waitForCount(2);
    expect(second.rawBody.equals(first.rawBody)).toBe(true);
    expect(second.signatureValid).toBe(true);
  });

  it('reports an im_send_msg tagged APP when the business replies from the TikTok app', async () => {
    const { conversationId } = await userWrites(sandbox, mia, shop.open_id, 'Hello');
    await control(sandbox, 'POST', '/sandbox/business-messages', {
      conversationId,
      text: 'Typed in the app',
    });
    const [, reply] = await receiver.waitForCount(2);
    expect(reply.body.event).toBe('im_send_msg');
    expect(reply.content).toMatchObject({
      message_tag: { source: 'APP' },
      text: { body: 'Typed in the app' },
    });
  });

  it('stops delivering events of a business that revoked the app', async () => {
    await api(sandbox, 'POST', 'tt_user/oauth2/revoke/', {
      body: { client_id: APP_ID, client_secret: APP_SECRET, access_token: shop.access_token },
    });
    const written = await userWrites(sandbox, mia, shop.open_id, 'Anyone?');
    expect(written.webhook).toBe('business_disconnected');
    expect((await deliveryStats()).attempts).toBe(0);
  });
});
