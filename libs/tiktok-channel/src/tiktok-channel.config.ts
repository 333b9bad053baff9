import { Inject } from '@nestjs/common';
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_SCOPES,
  REQUIRED_SCOPES,
  type TiktokChannelModuleOptions,
} from './tiktok-channel.options';

export const TIKTOK_CHANNEL_CONFIG = Symbol('TIKTOK_CHANNEL_CONFIG');

/** Options with every default filled in, checked once at start-up. */
export type TiktokChannelConfig = Required<TiktokChannelModuleOptions>;

export const InjectTiktokConfig = (): ParameterDecorator => Inject(TIKTOK_CHANNEL_CONFIG);

export class TiktokChannelConfigError extends Error {
  override name = 'TiktokChannelConfigError';
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TiktokChannelConfigError(`TiktokChannelModule: option "${name}" is required`);
  }
  return value;
}

function requireUrl(value: string, name: string): string {
  try {
    new URL(value);
  } catch {
    throw new TiktokChannelConfigError(
      `TiktokChannelModule: option "${name}" must be an absolute URL`,
    );
  }
  return value;
}

/** Fails fast on wrong configuration, so a bad deploy stops at boot rather than at the first webhook. */
export function resolveTiktokChannelConfig(
  options: TiktokChannelModuleOptions,
): TiktokChannelConfig {
  requireText(options.appId, 'appId');
  requireText(options.appSecret, 'appSecret');
  requireUrl(requireText(options.redirectUri, 'redirectUri'), 'redirectUri');
  if (!Array.isArray(options.tokenEncryptionKeys) || options.tokenEncryptionKeys.length === 0) {
    throw new TiktokChannelConfigError(
      'TiktokChannelModule: option "tokenEncryptionKeys" needs at least one key',
    );
  }
  if (typeof options.resolveConnectContext !== 'function') {
    throw new TiktokChannelConfigError(
      'TiktokChannelModule: option "resolveConnectContext" must be a function',
    );
  }
  const config: TiktokChannelConfig = {
    ...options,
    apiBaseUrl: requireUrl(options.apiBaseUrl ?? DEFAULT_API_BASE_URL, 'apiBaseUrl'),
    authorizeUrl: requireUrl(options.authorizeUrl ?? DEFAULT_AUTHORIZE_URL, 'authorizeUrl'),
    scopes: options.scopes ?? DEFAULT_SCOPES,
    requiredScopes: options.requiredScopes ?? REQUIRED_SCOPES,
    webhookToleranceSeconds: options.webhookToleranceSeconds ?? 300,
    refreshLeadSeconds: options.refreshLeadSeconds ?? 600,
    rawBodyProperty: options.rawBodyProperty ?? 'rawBody',
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    enableBackgroundJobs: options.enableBackgroundJobs ?? true,
    defaultReturnUrl: options.defaultReturnUrl ?? '/',
  };
  const missing = config.requiredScopes.filter((scope) => !config.scopes.includes(scope));
  if (missing.length > 0) {
    throw new TiktokChannelConfigError(
      `TiktokChannelModule: required scopes are not requested: ${missing.join(', ')}`,
    );
  }
  return config;
}
