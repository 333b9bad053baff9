import type { RunningSandbox } from 'tiktok-sandbox';
import type { HelpdeskConfig } from '../helpdesk-config';
import type { DemoSecrets } from './demo-secrets';

/**
 * The channel settings of a helpdesk at `publicUrl` that talks to `sandbox` with `secrets`. The
 * sandbox must have been started with the same app id and secret, so its webhooks verify.
 */
export function sandboxTiktokConfig(
  sandbox: Pick<RunningSandbox, 'apiBaseUrl' | 'authorizeUrl'>,
  secrets: DemoSecrets,
  publicUrl: string,
): HelpdeskConfig['tiktok'] {
  return {
    appId: secrets.appId,
    appSecret: secrets.appSecret,
    apiBaseUrl: sandbox.apiBaseUrl,
    authorizeUrl: sandbox.authorizeUrl,
    redirectUri: `${publicUrl}/tiktok/oauth/callback`,
    tokenEncryptionKeys: secrets.tokenEncryptionKeys,
    webhookCallbackUrl: `${publicUrl}/tiktok/webhook`,
  };
}
