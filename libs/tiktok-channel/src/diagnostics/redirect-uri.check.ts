import type { TiktokDiagnosticCheck } from './tiktok-diagnostic.types';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const CALLBACK_PATH = /\/tiktok\/oauth\/callback\/?$/;

export interface RedirectUriInput {
  redirectUri: string;
  /** Talking to a local sandbox: http and a port are fine on this machine. */
  local: boolean;
  /** The configured webhook URL, when there is one: both should be on the same public host. */
  webhookCallbackUrl?: string;
}

/**
 * The redirect URI against TikTok's developer portal rules (absolute https, no query, fragment or
 * port, 10–512 characters, and, *unsure*, a trailing '/') and against the library's own route.
 * The portal's registered value cannot be read through the API: the fix says what to register.
 */
export function checkRedirectUri(input: RedirectUriInput): TiktokDiagnosticCheck {
  const title = 'Redirect URI';
  const raw = input.redirectUri;
  const problem = (summary: string, fix: string): TiktokDiagnosticCheck => ({
    id: 'redirect_uri',
    title,
    verdict: 'fail',
    summary,
    fix,
    facts: { redirectUri: raw },
  });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return problem(
      'The redirect URI is not an absolute URL.',
      'Set redirectUri to https://<your host>/tiktok/oauth/callback.',
    );
  }
  const loopback = LOOPBACK.test(url.hostname);
  const relaxed = input.local && loopback;
  if (url.search || url.hash) {
    return problem(
      'The redirect URI has a query string or a fragment, which TikTok does not allow.',
      'Remove everything from "?" or "#" on, in the configuration and in the TikTok developer portal.',
    );
  }
  if (url.protocol !== 'https:' && !(relaxed && url.protocol === 'http:')) {
    return problem(
      'The redirect URI is not https, which TikTok requires.',
      'Serve the helpdesk over https and set redirectUri to its https address.',
    );
  }
  if (url.port && !relaxed) {
    return problem(
      `The redirect URI names port ${url.port}, which TikTok does not allow.`,
      'Put the helpdesk behind the default https port (443) and drop the port from redirectUri.',
    );
  }
  if (raw.length < 10 || raw.length > 512) {
    return problem(
      `The redirect URI is ${raw.length} characters long; TikTok takes 10 to 512.`,
      'Use a redirect URI between 10 and 512 characters.',
    );
  }
  if (!CALLBACK_PATH.test(url.pathname)) {
    return problem(
      `The redirect URI’s path ${url.pathname} is not the channel’s callback route.`,
      'Point redirectUri at <your public URL>/tiktok/oauth/callback (with your global prefix, if any).',
    );
  }
  const webhook = parse(input.webhookCallbackUrl);
  if (webhook && webhook.host !== url.host) {
    return {
      id: 'redirect_uri',
      title,
      verdict: 'warn',
      summary: `The redirect URI is on ${url.host} but the webhook is on ${webhook.host}.`,
      fix: 'Check that both use the helpdesk’s public address (PUBLIC_URL).',
      facts: { redirectUri: raw, webhookCallbackUrl: input.webhookCallbackUrl ?? null },
    };
  }
  if (!relaxed && !url.pathname.endsWith('/')) {
    return {
      id: 'redirect_uri',
      title,
      verdict: 'warn',
      summary: 'The redirect URI does not end with "/", which TikTok’s portal may ask for.',
      fix: 'If TikTok refuses the sign-in with a redirect_uri error, add the trailing "/" in both the configuration and the portal.',
      facts: { redirectUri: raw },
    };
  }
  return {
    id: 'redirect_uri',
    title,
    verdict: 'ok',
    summary: relaxed
      ? 'The redirect URI points at the channel’s callback on this machine (fine for the local sandbox).'
      : 'The redirect URI follows TikTok’s rules and points at the channel’s callback.',
    facts: { redirectUri: raw },
  };
}

function parse(value: string | undefined): URL | null {
  if (!value) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
