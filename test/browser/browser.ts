import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/**
 * Debian's Chromium, never a downloaded browser (see scripts/ensure-chromium.sh). The flags keep it
 * from talking to anything but the servers the test started.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Every console error and uncaught exception on the page, across navigations (the page goes from
 * the helpdesk to the sandbox's consent page and back). A 404 for a favicon is not the page's doing.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    if (/\/favicon\.ico$/.test(where)) return;
    errors.push(`console error at ${where || page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught on ${page.url()}: ${error.message}`));
  return errors;
}

export interface Navigation {
  url: string;
  status: number;
}

/** The main frame's navigations as they happened, redirects included, each with its HTTP status. */
export function recordNavigations(page: Page): Navigation[] {
  const navigations: Navigation[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    navigations.push({ url: response.url(), status: response.status() });
  });
  return navigations;
}

/**
 * Opens the helpdesk and signs in through its form, as a person would. Resolves once the
 * workspace shows (the session cookie is then in the browser context).
 */
export async function signInToHelpdesk(
  page: Page,
  helpdeskUrl: string,
  credentials: { email: string; password: string },
): Promise<void> {
  await page.goto(`${helpdeskUrl}/`);
  await page.getByLabel('Email', { exact: true }).fill(credentials.email);
  await page.getByLabel('Password', { exact: true }).fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#workspace').waitFor();
}

export interface Consent {
  /** Left empty for a Deny, as a person who declines would. */
  username?: string;
  accountType: 'business' | 'personal';
  decision: 'approve' | 'deny';
}

/**
 * Clicks "Sign in with TikTok" on the helpdesk's page and answers the sandbox's consent page the way
 * a person would. Resolves once the browser is back on the helpdesk's page with its banner shown.
 */
export async function signInWithTiktok(
  page: Page,
  helpdeskUrl: string,
  sandboxUrl: string,
  consent: Consent,
): Promise<void> {
  await page.goto(`${helpdeskUrl}/`);
  await page.getByRole('link', { name: 'Sign in with TikTok' }).click();

  await page.waitForURL((url) => url.href.startsWith(`${sandboxUrl}/v2/auth/authorize`));
  if (consent.username !== undefined) await page.getByLabel('Username').fill(consent.username);
  await page.getByLabel('Account type').selectOption(consent.accountType);
  await page
    .getByRole('button', { name: consent.decision === 'approve' ? 'Approve' : 'Deny' })
    .click();

  await page.waitForURL((url) => url.origin === helpdeskUrl && url.pathname === '/');
  await page.locator('#connect-banner').waitFor();
}
