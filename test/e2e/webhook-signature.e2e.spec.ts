import { signTiktokPayload } from '../../libs/tiktok-channel/src/testing';
import { startHarness, type Harness } from '../support/e2e-harness';

describe('The webhook endpoint refuses unsigned or badly signed deliveries', () => {
  let h: Harness;
  const body = Buffer.from(
    JSON.stringify({
      client_key: 'whatever',
      event: 'im_receive_msg',
      create_time: 1764000000,
      user_openid: 'biz_1',
      content: JSON.stringify({
        conversation_id: 'c1',
        message_id: 'm1',
        type: 'text',
        text: { body: 'hi' },
      }),
    }),
  );

  beforeAll(async () => {
    h = await startHarness({ backgroundJobs: false });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function deliver(signature: string | undefined, payload = body) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== undefined) headers['TikTok-Signature'] = signature;
    const response = await fetch(`${h.url}/tiktok/webhook`, {
      method: 'POST',
      headers,
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as { reason?: string } };
  }

  async function storedEvents(): Promise<number> {
    const { rows } = await h.sql.query(`SELECT count(*)::int AS n FROM tiktok_webhook_events`);
    return rows[0].n;
  }

  const now = () => Math.floor(Date.now() / 1000);

  it('answers 401 to a delivery without a signature and stores nothing', async () => {
    const answer = await deliver(undefined);
    expect(answer.status).toBe(401);
    expect(answer.body.reason).toBe('missing');
    expect(await storedEvents()).toBe(0);
  });

  it('answers 401 to a signature made with another secret and stores nothing', async () => {
    const answer = await deliver(signTiktokPayload('not-the-app-secret', now(), body));
    expect(answer.status).toBe(401);
    expect(answer.body.reason).toBe('mismatch');
    expect(await storedEvents()).toBe(0);
  });

  it('answers 401 to a signature over different bytes and stores nothing', async () => {
    const signature = signTiktokPayload(h.config.tiktok.appSecret, now(), body);
    const tampered = Buffer.from(body.toString('utf8').replace('hi', 'hello'));
    const answer = await deliver(signature, tampered);
    expect(answer.status).toBe(401);
    expect(await storedEvents()).toBe(0);
  });

  it('answers 401 to a stale signature and stores nothing', async () => {
    const answer = await deliver(signTiktokPayload(h.config.tiktok.appSecret, now() - 3600, body));
    expect(answer.status).toBe(401);
    expect(answer.body.reason).toBe('stale');
    expect(await storedEvents()).toBe(0);
  });

  it('answers 401 to a garbage signature header and stores nothing', async () => {
    const answer = await deliver('t=abc,s=zz');
    expect(answer.status).toBe(401);
    expect(await storedEvents()).toBe(0);
  });

  it('stores a correctly signed delivery, even one for a business it does not know', async () => {
    const answer = await deliver(signTiktokPayload(h.config.tiktok.appSecret, now(), body));
    expect(answer.status).toBe(200);
    expect(await storedEvents()).toBe(1);
  });
});
