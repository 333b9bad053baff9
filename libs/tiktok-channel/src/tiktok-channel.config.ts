import { Inject } from '@nestjs/common';
import { validateSync } from 'class-validator';
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_RETENTION,
  DEFAULT_SCOPES,
  REQUIRED_SCOPES,
  type TiktokChannelModuleOptions,
  type TiktokRetentionOptions,
} from './tiktok-channel.options';
import { DEFAULT_MESSAGE_CAPS } from './outbound/messaging-rules';
import { TiktokChannelOptionsSchema } from './tiktok-channel.options.schema';

export const TIKTOK_CHANNEL_CONFIG = Symbol('TIKTOK_CHANNEL_CONFIG');

type OptionalInConfig = 'httpClient' | 'webhookCallbackUrl';

/** Options with every default filled in, checked once at start-up. */
export type TiktokChannelConfig = Required<
  Omit<TiktokChannelModuleOptions, OptionalInConfig | 'retention'>
> &
  Pick<TiktokChannelModuleOptions, OptionalInConfig> & {
    retention: Required<TiktokRetentionOptions>;
  };

export const InjectTiktokConfig = (): ParameterDecorator => Inject(TIKTOK_CHANNEL_CONFIG);

/** The channel cannot run as configured. `problems` lists every problem found, one sentence each. */
export class TiktokChannelConfigError extends Error {
  override name = 'TiktokChannelConfigError';
  readonly problems: string[];

  constructor(problems: string | string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(
      list.length === 1
        ? `TiktokChannelModule: ${list[0]}`
        : `TiktokChannelModule is misconfigured:\n${list.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.problems = list;
  }
}

export function withDefaults(options: TiktokChannelModuleOptions): TiktokChannelConfig {
  return {
    ...options,
    apiBaseUrl: options.apiBaseUrl ?? DEFAULT_API_BASE_URL,
    authorizeUrl: options.authorizeUrl ?? DEFAULT_AUTHORIZE_URL,
    scopes: options.scopes ?? DEFAULT_SCOPES,
    requiredScopes: options.requiredScopes ?? REQUIRED_SCOPES,
    webhookToleranceSeconds: options.webhookToleranceSeconds ?? 300,
    refreshLeadSeconds: options.refreshLeadSeconds ?? 600,
    rawBodyProperty: options.rawBodyProperty ?? 'rawBody',
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    enableBackgroundJobs: options.enableBackgroundJobs ?? true,
    defaultReturnUrl: options.defaultReturnUrl ?? '/',
    tokenRefreshIntervalSeconds: options.tokenRefreshIntervalSeconds ?? 60,
    inboundSweepIntervalSeconds: options.inboundSweepIntervalSeconds ?? 5,
    inboundWorkers: options.inboundWorkers ?? 3,
    inboundEventsPerTransaction: options.inboundEventsPerTransaction ?? 512,
    inboundProcessingPaused: options.inboundProcessingPaused ?? false,
    intakePoolSize: options.intakePoolSize ?? 4,
    webhookFastPath: options.webhookFastPath ?? false,
    tokenRefreshConcurrency: options.tokenRefreshConcurrency ?? 4,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 10,
    maxMessagesBeforeCustomerReply: options.maxMessagesBeforeCustomerReply ?? 10,
    maxMessagesAfterReplyWindow:
      options.maxMessagesAfterReplyWindow ?? DEFAULT_MESSAGE_CAPS.afterReplyWindow,
    sendWaitMs: options.sendWaitMs ?? 5000,
    outboundSweepIntervalSeconds: options.outboundSweepIntervalSeconds ?? 5,
    outboundConcurrency: options.outboundConcurrency ?? 16,
    maxSendAttempts: options.maxSendAttempts ?? 8,
    reconcileDelayMs: options.reconcileDelayMs ?? 2000,
    capabilitiesTtlSeconds: options.capabilitiesTtlSeconds ?? 3600,
    maxAttachmentBytes: options.maxAttachmentBytes ?? 25 * 1024 * 1024,
    maxInboundAttachmentBytes: options.maxInboundAttachmentBytes ?? 50 * 1024 * 1024,
    maxWebhookBytes: options.maxWebhookBytes ?? 1024 * 1024,
    earlyWebhookRetentionHours: options.earlyWebhookRetentionHours ?? 24,
    maxPendingConnectsPerTenant: options.maxPendingConnectsPerTenant ?? 20,
    retention: { ...DEFAULT_RETENTION, ...definedOnly(options.retention) },
    retentionIntervalSeconds: options.retentionIntervalSeconds ?? 3600,
    retentionBatchSize: options.retentionBatchSize ?? 500,
    refreshRefusalGraceSeconds: options.refreshRefusalGraceSeconds ?? 600,
    refreshFailureWarningThreshold: options.refreshFailureWarningThreshold ?? 3,
  };
}

/** The fields a host set, so an explicit `undefined` does not override a default. */
function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}

/**
 * Fails fast on wrong configuration, so a bad deploy stops at boot rather than at the first
 * webhook, and reports every problem at once rather than one per restart.
 */
export function resolveTiktokChannelConfig(
  options: TiktokChannelModuleOptions,
): TiktokChannelConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TiktokChannelConfigError('options are required');
  }
  const config = withDefaults(options);
  const schema = Object.assign(new TiktokChannelOptionsSchema(), config);
  const problems = [
    ...new Set(
      validateSync(schema, { forbidUnknownValues: false }).flatMap((error) =>
        Object.values(error.constraints ?? {}),
      ),
    ),
  ];
  if (Array.isArray(config.requiredScopes) && Array.isArray(config.scopes)) {
    const missing = config.requiredScopes.filter((scope) => !config.scopes.includes(scope));
    if (missing.length > 0) {
      problems.push(`required scopes are not requested: ${missing.join(', ')}`);
    }
  }
  if (problems.length > 0) throw new TiktokChannelConfigError(problems);
  return config;
}
