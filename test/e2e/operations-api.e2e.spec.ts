import {
  basicAuthorization,
  CookieJar,
  eventually,
  followRedirects,
  post,
  startHarness,
  type Harness,
} from '../support/e2e-harness';
import { HelpdeskClient, type InboxDto } from '../support/helpdesk-client';
import { SandboxControl } from '../support/sandbox-control';

describe('The demo’s diagnostics and disconnect API', () => {
  let h: Harness;
  let sandbox: SandboxControl;
  let helpdesk: HelpdeskClient;
  let inbox: InboxDto;

  beforeAll(async () => {
    h = await startHarness({ backgroundJobs: false });
    sandbox = new SandboxControl(h.sandbox.url);
    helpdesk = new HelpdeskClient(h.url);
    await sandbox.queueConsent('ops.shop', 'business', 'approve');
    await followRedirects(`${h.url}/tiktok/oauth/authorize`);
    inbox = (await helpdesk.inboxes())[0];
    const userId = await sandbox.createUser('ops.fan', 'Ops Fan');
    await sandbox.sendAsUser(userId, inbox.channel.businessId, 'hello');
    await eventually(async () => (await helpdesk.conversations(inbox.id))[0], 'conversation');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('GET /api/diagnostics answers the report, every check passing on a healthy demo', async () => {
    const response = await fetch(`${h.url}/api/diagnostics`, {
      headers: { authorization: basicAuthorization(h.admin) },
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      verdict: string;
      checks: Array<{ id: string; verdict: string; account?: { inboxId: string } }>;
    };
    expect(report.checks.filter((check) => check.verdict !== 'ok')).toEqual([]);
    expect(report.verdict).toBe('ok');
    expect(report.checks.find((check) => check.id === 'message_sync')?.account?.inboxId).toBe(
      inbox.id,
    );
  });

  it('POST /api/inboxes/:id/disconnect revokes the grant and keeps the inbox and its conversations', async () => {
    const revokes = (await sandbox.stats()).revokes;

    const { status, body } = await post<{ inbox: InboxDto; revocation: string }>(
      `${h.url}/api/inboxes/${inbox.id}/disconnect`,
      {},
    );

    expect(status).toBe(200);
    expect(body.revocation).toBe('revoked');
    expect(body.inbox).toMatchObject({ id: inbox.id, channel: { status: 'disconnected' } });
    expect((await sandbox.stats()).revokes).toBe(revokes + 1);
    expect((await helpdesk.inboxes()).map((i) => i.channel.status)).toEqual(['disconnected']);
    expect(await helpdesk.conversations(inbox.id)).toHaveLength(1);
  });

  it('reconnects the same inbox after a disconnect', async () => {
    await sandbox.queueConsent('ops.shop', 'business', 'approve');
    const hops = await followRedirects(
      `${h.url}/tiktok/oauth/authorize?inboxId=${inbox.id}`,
      new CookieJar(),
    );
    expect(new URL(hops[hops.length - 1]).searchParams.get('inbox_id')).toBe(inbox.id);
    expect((await helpdesk.inboxes()).map((i) => i.channel.status)).toEqual(['active']);
  });

  it('answers 404 for an inbox that does not exist and 400 for something that is not an id', async () => {
    expect(
      (await post(`${h.url}/api/inboxes/00000000-0000-4000-8000-000000000000/disconnect`, {}))
        .status,
    ).toBe(404);
    expect((await post(`${h.url}/api/inboxes/nope/disconnect`, {})).status).toBe(400);
  });
});
