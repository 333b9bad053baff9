import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ADMIN_EMAIL, demoAdmin } from '../../apps/helpdesk/src/demo/demo-admin';
import { DemoConfigError } from '../../apps/helpdesk/src/demo/demo-environment';
import { loadOrCreateDemoSecrets } from '../../apps/helpdesk/src/demo/demo-secrets';

describe('the demo’s admin credentials', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-admin-'));
    file = join(dir, 'demo-secrets.json');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates them into the secrets file on the first start, keeping what the file held, then reuses them', () => {
    writeFileSync(file, JSON.stringify({ appId: 'a', appSecret: 's', tokenEncryptionKeys: ['k'] }));

    const first = demoAdmin({}, file);
    const second = demoAdmin({}, file);

    expect(first.source).toBe('generated');
    expect(first.credentials.email).toBe(DEFAULT_ADMIN_EMAIL);
    expect(first.credentials.password.length).toBeGreaterThanOrEqual(16);
    expect(second).toEqual({ credentials: first.credentials, source: 'secrets file' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      appId: 'a',
      appSecret: 's',
      tokenEncryptionKeys: ['k'],
      admin: first.credentials,
    });
    // Readable by this user only.
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('takes HELPDESK_ADMIN_EMAIL and HELPDESK_ADMIN_PASSWORD when both are set, and writes nothing', () => {
    const admin = demoAdmin(
      { HELPDESK_ADMIN_EMAIL: 'boss@shop.test', HELPDESK_ADMIN_PASSWORD: 'a long secret' },
      file,
    );

    expect(admin).toEqual({
      credentials: { email: 'boss@shop.test', password: 'a long secret' },
      source: 'environment',
    });
    expect(() => statSync(file)).toThrow();
  });

  it('refuses one variable without the other, and a short password', () => {
    expect(() => demoAdmin({ HELPDESK_ADMIN_EMAIL: 'boss@shop.test' }, file)).toThrow(
      DemoConfigError,
    );
    expect(() =>
      demoAdmin({ HELPDESK_ADMIN_EMAIL: 'boss@shop.test', HELPDESK_ADMIN_PASSWORD: 'short' }, file),
    ).toThrow('HELPDESK_ADMIN_PASSWORD must be at least 10 characters');
  });

  it('adds the TikTok secrets beside an admin a start with every TIKTOK_* variable kept alone', () => {
    const admin = demoAdmin({}, file);

    const secrets = loadOrCreateDemoSecrets(file);

    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      admin: admin.credentials,
      ...secrets,
    });
    expect(loadOrCreateDemoSecrets(file)).toMatchObject(secrets);
    expect(demoAdmin({}, file)).toEqual({ credentials: admin.credentials, source: 'secrets file' });
  });
});
