import type { SignInThrottleSettings } from './sign-in-throttle';
import { Inject } from '@nestjs/common';

/** The admin the helpdesk makes sure exists at start-up; its password is the one given here. */
export interface HelpdeskAdminCredentials {
  email: string;
  password: string;
  /** Shown beside the admin's replies. Default "Admin". */
  name?: string;
}

export interface HelpdeskAuthConfig {
  admin: HelpdeskAdminCredentials;
  /**
   * Where people reach the helpdesk. Its origin is accepted on writes, beside the origin the
   * browser's own Host header names; an `https:` URL also makes the session cookie `Secure`.
   */
  publicUrl?: string;
  /** Failed sign-ins tolerated before a caller must wait (see SignInThrottle); defaults apply. */
  signInThrottle?: Partial<SignInThrottleSettings>;
  /** For tests: the throttle's clock (ms since the epoch). */
  clock?: () => number;
}

export const HELPDESK_AUTH_CONFIG = Symbol('HELPDESK_AUTH_CONFIG');
export const InjectHelpdeskAuthConfig = () => Inject(HELPDESK_AUTH_CONFIG);
