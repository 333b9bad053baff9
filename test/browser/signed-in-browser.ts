import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type Harness, type HarnessOptions } from '../support/e2e-harness';
import { collectPageErrors, launchChromium, signInToHelpdesk } from './browser';

export interface SignedInBrowser {
  h: Harness;
  page: Page;
  /** Console errors and uncaught exceptions of the page so far (see `collectPageErrors`). */
  pageErrors: string[];
}

export interface SignedInBrowsers {
  /** A helpdesk on an empty database, and a fresh browser profile signed in to it as the admin. */
  open(options?: HarnessOptions): Promise<SignedInBrowser>;
}

/**
 * Registers the hooks every browser spec needs, in the describe block it is called from: one
 * Chromium for the file, and after each test its browser profile and helpdesk closed. A test then
 * calls `open()`; tests never share a profile or a database.
 */
export function signedInBrowsers(
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): SignedInBrowsers {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let harness: Harness | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await context?.close();
    await harness?.close();
    context = undefined;
    harness = undefined;
  });

  return {
    async open(options = {}) {
      if (!browser) throw new Error('signedInBrowsers(): Chromium did not start (see beforeAll)');
      const h = await startHarness(options);
      harness = h;
      context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const pageErrors = collectPageErrors(page);
      await signInToHelpdesk(page, h.url, h.admin);
      return { h, page, pageErrors };
    },
  };
}
