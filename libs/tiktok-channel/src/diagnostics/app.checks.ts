import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokAppCheck } from '../api/tiktok-api.types';
import type { TiktokDiagnosticCheck } from './tiktok-diagnostic.types';

export type AppProbe = { ok: true; result: TiktokAppCheck } | { ok: false; error: unknown };

export interface AppCheckSettings {
  apiBaseUrl: string;
  webhookCallbackUrl?: string;
  webhookToleranceSeconds: number;
  /** Talking to a local sandbox, whose fixes differ (it runs inside the demo). */
  local: boolean;
}

/** Above this the skew is worth fixing; signatures are still accepted. */
export const CLOCK_SKEW_WARN_SECONDS = 30;

export const REGISTER_WEBHOOK_FIX =
  'Register it with TiktokWebhookRegistrar.ensureRegistered() from a deploy step (the demo: npm run webhook -- register).';

/** App credentials, webhook registration and clock skew, all from one `webhook/list/` call. */
export function appChecks(probe: AppProbe, settings: AppCheckSettings): TiktokDiagnosticCheck[] {
  if (!probe.ok) return unreachableOrRefused(probe.error, settings);
  const { result } = probe;
  return [
    {
      id: 'app_credentials',
      title: 'App credentials',
      verdict: 'ok',
      summary: 'TikTok accepted the app id and secret.',
    },
    webhookCheck(result.webhook.callbackUrl, settings.webhookCallbackUrl),
    clockCheck(result, settings.webhookToleranceSeconds),
  ];
}

function unreachableOrRefused(error: unknown, settings: AppCheckSettings): TiktokDiagnosticCheck[] {
  const refused = error instanceof TiktokApiError && error.errorClass === 'auth_revoked';
  const message = error instanceof Error ? error.message : String(error);
  const credentials: TiktokDiagnosticCheck = refused
    ? {
        id: 'app_credentials',
        title: 'App credentials',
        verdict: 'fail',
        summary: `TikTok refused the app id or secret (code ${(error as TiktokApiError).code ?? '?'}).`,
        fix: 'Copy the app id and secret from the TikTok developer portal into the configuration, and check that the app is approved for the Business Messaging API.',
      }
    : {
        id: 'app_credentials',
        title: 'App credentials',
        verdict: 'fail',
        summary: `TikTok could not be asked (${message}).`,
        fix: settings.local
          ? 'Start the demo (npm start): the local TikTok sandbox runs inside it.'
          : `Check that this server reaches ${settings.apiBaseUrl} (network, proxy, apiBaseUrl).`,
        facts: { apiBaseUrl: settings.apiBaseUrl },
      };
  return [
    credentials,
    {
      id: 'webhook_registration',
      title: 'Webhook registration',
      verdict: 'fail',
      summary: 'The webhook registration could not be read, because the app check failed.',
      fix: 'Fix the app credentials check first.',
    },
    {
      id: 'clock_skew',
      title: 'Clock',
      verdict: 'warn',
      summary: 'The clock skew could not be measured, because TikTok did not answer.',
      fix: 'Fix the app credentials check first.',
    },
  ];
}

function webhookCheck(
  registered: string | null,
  expected: string | undefined,
): TiktokDiagnosticCheck {
  const title = 'Webhook registration';
  const facts = { registered, expected: expected ?? null };
  if (registered === null) {
    return {
      id: 'webhook_registration',
      title,
      verdict: 'fail',
      summary: 'No webhook is registered for the app, so TikTok sends no messages.',
      fix: REGISTER_WEBHOOK_FIX,
      facts,
    };
  }
  if (expected && registered !== expected) {
    return {
      id: 'webhook_registration',
      title,
      verdict: 'fail',
      summary: `TikTok delivers webhooks to ${registered}, not to ${expected}.`,
      fix: REGISTER_WEBHOOK_FIX,
      facts,
    };
  }
  return {
    id: 'webhook_registration',
    title,
    verdict: 'ok',
    summary: expected
      ? `TikTok delivers webhooks to ${registered}.`
      : `TikTok delivers webhooks to ${registered} (no webhookCallbackUrl is configured to compare it with).`,
    facts,
  };
}

/**
 * TikTok's clock (the `Date` header, whole seconds) against ours at the middle of the request; the
 * uncertainty (half the round trip plus the header's rounding) is given to TikTok's favour, so a
 * slow answer never looks like skew.
 */
function clockCheck(result: TiktokAppCheck, toleranceSeconds: number): TiktokDiagnosticCheck {
  const title = 'Clock';
  if (!result.serverTime) {
    return {
      id: 'clock_skew',
      title,
      verdict: 'warn',
      summary: 'TikTok’s answer carried no Date header, so the clock skew is unknown.',
      fix: 'Keep this server’s clock synchronised (NTP) all the same.',
    };
  }
  const measured = measureSkew(result);
  const effective = Math.max(0, Math.abs(measured.skewMs) - measured.uncertaintyMs) / 1000;
  const skewSeconds = Math.round(measured.skewMs / 1000);
  const facts = {
    skewSeconds,
    uncertaintySeconds: Math.ceil(measured.uncertaintyMs / 1000),
    toleranceSeconds,
  };
  const direction = measured.skewMs > 0 ? 'ahead of' : 'behind';
  const fix = `Synchronise this server’s clock (NTP: chrony or systemd-timesyncd); TikTok’s webhook signatures are only accepted within ${toleranceSeconds} s.`;
  if (effective >= toleranceSeconds / 2) {
    return {
      id: 'clock_skew',
      title,
      verdict: 'fail',
      summary: `TikTok’s clock is ${Math.abs(skewSeconds)} s ${direction} this server’s: webhook signatures are near or past the ${toleranceSeconds} s limit.`,
      fix,
      facts,
    };
  }
  if (effective >= CLOCK_SKEW_WARN_SECONDS) {
    return {
      id: 'clock_skew',
      title,
      verdict: 'warn',
      summary: `TikTok’s clock is ${Math.abs(skewSeconds)} s ${direction} this server’s.`,
      fix,
      facts,
    };
  }
  return {
    id: 'clock_skew',
    title,
    verdict: 'ok',
    summary: `This server’s clock agrees with TikTok’s (within ${Math.ceil(measured.uncertaintyMs / 1000)} s).`,
    facts,
  };
}

/** Positive when TikTok's clock is ahead of ours. */
export function measureSkew(result: TiktokAppCheck): { skewMs: number; uncertaintyMs: number } {
  if (!result.serverTime) return { skewMs: 0, uncertaintyMs: Number.POSITIVE_INFINITY };
  const ours = (result.sentAt.getTime() + result.receivedAt.getTime()) / 2;
  // The header has whole seconds: TikTok's true time lies in [date, date + 1 s).
  const theirs = result.serverTime.getTime() + 500;
  return {
    skewMs: theirs - ours,
    uncertaintyMs: (result.receivedAt.getTime() - result.sentAt.getTime()) / 2 + 500,
  };
}
