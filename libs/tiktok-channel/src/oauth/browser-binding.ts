import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/** 32 random bytes, base64url: exactly what `newBrowserKey` makes, so nothing else is accepted. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Ties an OAuth state to the browser that started it. The browser keeps a random key in an
 * HttpOnly, SameSite=Lax cookie; the state row keeps only its hash. TikTok's redirect back is a
 * top-level navigation, so Lax still sends the cookie, while another browser, which never visited
 * the authorize route, has a different key or none and cannot complete someone else's consent.
 *
 * One key per browser (reused while it lives) rather than one per attempt, so two tabs connecting
 * at once both work and a storm of authorize requests never piles up cookies.
 */
export class BrowserBinding {
  readonly cookieName: string;
  private readonly secure: boolean;

  /**
   * `secure` when the callback is served over https: the cookie is then `__Host-` prefixed, which
   * the browser only accepts from that exact host over https, so a sibling subdomain cannot plant one.
   */
  constructor(
    secure: boolean,
    private readonly maxAgeSeconds: number,
  ) {
    this.secure = secure;
    this.cookieName = secure ? '__Host-tiktok_oauth_browser' : 'tiktok_oauth_browser';
  }

  /** The browser's key, when its cookie holds one this binding could have issued. */
  read(req: Request): string | undefined {
    const header = req.headers.cookie;
    if (typeof header !== 'string') return undefined;
    for (const part of header.split(';')) {
      const separator = part.indexOf('=');
      if (separator < 0 || part.slice(0, separator).trim() !== this.cookieName) continue;
      const value = part.slice(separator + 1).trim();
      if (KEY_PATTERN.test(value)) return value;
    }
    return undefined;
  }

  /** The browser's key, issuing one if needed, with the cookie (re)set to live as long as a state. */
  attach(req: Request, res: Response): string {
    const key = this.read(req) ?? randomBytes(32).toString('base64url');
    const attributes = [
      `${this.cookieName}=${key}`,
      `Max-Age=${this.maxAgeSeconds}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      ...(this.secure ? ['Secure'] : []),
    ];
    res.append('Set-Cookie', attributes.join('; '));
    return key;
  }
}

/** What the state row stores: a leaked row must not let anyone forge the cookie. */
export function bindingOf(browserKey: string): string {
  return createHash('sha256').update(browserKey).digest('base64url');
}
