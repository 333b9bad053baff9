import type { Request, Response } from 'express';
import { SESSION_LIFETIME_SECONDS } from './sessions.service';

export const SESSION_COOKIE = 'helpdesk_session';

/** The session token the browser sent, if any. */
export function readSessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() === SESSION_COOKIE) {
      const value = pair.slice(separator + 1).trim();
      return value || undefined;
    }
  }
  return undefined;
}

/**
 * HttpOnly: no script (ours or injected) can read it. SameSite=Lax: a cross-site form post or
 * fetch does not carry it. Secure when the helpdesk is served over https.
 */
export function writeSessionCookie(res: Response, token: string, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_LIFETIME_SECONDS * 1000,
  });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.cookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 0 });
}
