import { CookieJar, followRedirects } from './e2e-harness';

/**
 * A browser going through "Sign in with TikTok" up to TikTok's redirect back, without following it:
 * returns the callback URL, with the browser's cookies in `jar`. The sandbox must have a consent
 * queued (it then redirects at once).
 */
export async function consentUpToCallback(
  authorizeUrl: string,
  jar: CookieJar = new CookieJar(),
): Promise<string> {
  let current = authorizeUrl;
  for (let hop = 0; hop < 5; hop++) {
    if (current.includes('/tiktok/oauth/callback')) return current;
    const response = await jar.fetch(current, { redirect: 'manual' });
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (!location) throw new Error(`${current} answered ${response.status} without a redirect`);
    current = new URL(location, current).toString();
  }
  throw new Error(`never reached the callback from ${authorizeUrl}`);
}

/** Follows the callback in `jar`'s browser; the page it ends on. */
export async function finishCallback(callbackUrl: string, jar: CookieJar): Promise<URL> {
  const hops = await followRedirects(callbackUrl, jar);
  return new URL(hops[hops.length - 1]);
}

export function outcome(landing: URL): { status: string | null; reason: string | null } {
  return {
    status: landing.searchParams.get('tiktok_status'),
    reason: landing.searchParams.get('tiktok_reason'),
  };
}
