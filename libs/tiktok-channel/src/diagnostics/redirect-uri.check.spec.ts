import { checkRedirectUri } from './redirect-uri.check';

const verdictOf = (redirectUri: string, local = false, webhookCallbackUrl?: string) =>
  checkRedirectUri({ redirectUri, local, webhookCallbackUrl });

describe('The redirect URI check', () => {
  it('passes an https callback with the trailing slash TikTok’s portal asks for', () => {
    expect(verdictOf('https://desk.example.com/tiktok/oauth/callback/').verdict).toBe('ok');
  });

  it('warns about a missing trailing slash', () => {
    const check = verdictOf('https://desk.example.com/tiktok/oauth/callback');
    expect(check.verdict).toBe('warn');
    expect(check.fix).toMatch(/trailing "\/"/);
  });

  it.each([
    ['plain http', 'http://desk.example.com/tiktok/oauth/callback/', /not https/],
    ['a port', 'https://desk.example.com:8443/tiktok/oauth/callback/', /port 8443/],
    ['a query string', 'https://desk.example.com/tiktok/oauth/callback/?a=1', /query string/],
    ['a fragment', 'https://desk.example.com/tiktok/oauth/callback/#x', /fragment/],
    ['another route', 'https://desk.example.com/oauth/tiktok/', /not the channel’s callback route/],
    ['not a URL', '/tiktok/oauth/callback', /not an absolute URL/],
    [
      'over 512 characters',
      `https://desk.example.com/${'a'.repeat(500)}/tiktok/oauth/callback/`,
      /512/,
    ],
  ])('fails %s', (_case, redirectUri, summary) => {
    const check = verdictOf(redirectUri);
    expect(check.verdict).toBe('fail');
    expect(check.summary).toMatch(summary);
    expect(check.fix).toBeTruthy();
  });

  it('accepts http and a port on this machine when talking to the local sandbox', () => {
    expect(verdictOf('http://127.0.0.1:3000/tiktok/oauth/callback', true).verdict).toBe('ok');
    expect(verdictOf('http://127.0.0.1:3000/tiktok/oauth/callback', false).verdict).toBe('fail');
  });

  it('accepts a global prefix before the callback route', () => {
    expect(verdictOf('https://desk.example.com/api/tiktok/oauth/callback/').verdict).toBe('ok');
  });

  it('warns when the webhook is on another host than the callback', () => {
    const check = verdictOf(
      'https://desk.example.com/tiktok/oauth/callback/',
      false,
      'https://other.example.com/tiktok/webhook',
    );
    expect(check.verdict).toBe('warn');
    expect(check.summary).toMatch(/other\.example\.com/);
  });
});
