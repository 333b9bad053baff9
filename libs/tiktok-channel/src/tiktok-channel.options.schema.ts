import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import type { TiktokRetentionOptions } from './tiktok-channel.options';
import { tokenKeyRingProblems } from './tokens/token-cipher';

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** A URL TikTok traffic may use: https anywhere, plain http only on this machine (the sandbox). */
export function isAbsoluteServiceUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname);
}

function IsServiceUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isServiceUrl',
      validator: {
        validate: isAbsoluteServiceUrl,
        defaultMessage: (args) =>
          `${args?.property} must be an absolute https URL (http only on localhost/127.0.0.1/[::1])`,
      },
    },
    options,
  );
}

/** A finite number in range; NaN and Infinity fail, so no option can silently switch a check off. */
function IsFiniteInRange(
  min: number,
  max: number,
  unit: string,
  options: { integer?: boolean } = {},
): PropertyDecorator {
  const kind = options.integer ? 'an integer' : 'a finite number';
  const range = Number.isFinite(max) ? `between ${min} and ${max}` : `of at least ${min}`;
  return ValidateBy({
    name: 'isFiniteInRange',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!options.integer || Number.isInteger(value)) &&
        value >= min &&
        value <= max,
      defaultMessage: (args) =>
        `${args?.property} must be ${kind} ${range}${unit ? ` ${unit}` : ''} (got ${String(args?.value)})`,
    },
  });
}

function IsTokenKeyRing(): PropertyDecorator {
  return ValidateBy({
    name: 'isTokenKeyRing',
    validator: {
      validate: (value: unknown) => tokenKeyRingProblems(value).length === 0,
      defaultMessage: (args) =>
        `${args?.property}: ${tokenKeyRingProblems(args?.value).join('; ')}`,
    },
  });
}

const RETENTION_RANGES: Record<keyof TiktokRetentionOptions, [number, number]> = {
  webhookBodyDays: [1, 36_500],
  // TikTok redelivers for 72 h: a deleted event's redelivery would be stored and processed again.
  webhookEventDays: [4, 36_500],
  parkedEventDays: [1, 36_500],
  outboundMessageDays: [1, 36_500],
};

export function retentionProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['retention must be an object'];
  const retention = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, [min, max]] of Object.entries(RETENTION_RANGES)) {
    const days = retention[name];
    if (typeof days !== 'number' || !Number.isFinite(days) || days < min || days > max) {
      problems.push(
        `retention.${name} must be a number of days between ${min} and ${max} (got ${String(days)})`,
      );
    }
  }
  const body = retention.webhookBodyDays;
  const rows = retention.webhookEventDays;
  if (typeof body === 'number' && typeof rows === 'number' && body > rows) {
    problems.push('retention.webhookBodyDays must not exceed retention.webhookEventDays');
  }
  return problems;
}

function IsRetention(): PropertyDecorator {
  return ValidateBy({
    name: 'isRetention',
    validator: {
      validate: (value: unknown) => retentionProblems(value).length === 0,
      defaultMessage: (args) => retentionProblems(args?.value).join('; '),
    },
  });
}

function IsCallable(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCallable',
      validator: {
        validate: (value: unknown) => typeof value === 'function',
        defaultMessage: (args) => `${args?.property} must be a function`,
      },
    },
    options,
  );
}

/**
 * The module options as class-validator sees them, with every default already applied, so a
 * default can never hide a bad value. Each rule names its option in its message.
 */
export class TiktokChannelOptionsSchema {
  @IsString({ message: 'appId is required' })
  @IsNotEmpty({ message: 'appId is required' })
  appId: string;

  @IsString({ message: 'appSecret is required' })
  @IsNotEmpty({ message: 'appSecret is required' })
  appSecret: string;

  @IsServiceUrl()
  redirectUri: string;

  @IsTokenKeyRing()
  tokenEncryptionKeys: string[];

  @IsCallable()
  resolveConnectContext: unknown;

  @IsServiceUrl()
  apiBaseUrl: string;

  @IsServiceUrl()
  authorizeUrl: string;

  @IsArray({ message: 'scopes must be a list of scope names' })
  @ArrayNotEmpty({ message: 'scopes must not be empty' })
  @IsString({ each: true, message: 'scopes must be a list of scope names' })
  scopes: string[];

  @IsArray({ message: 'requiredScopes must be a list of scope names' })
  @IsString({ each: true, message: 'requiredScopes must be a list of scope names' })
  requiredScopes: string[];

  @IsFiniteInRange(1, 900, 'seconds')
  webhookToleranceSeconds: number;

  @IsFiniteInRange(60, Number.POSITIVE_INFINITY, 'seconds')
  refreshLeadSeconds: number;

  @IsString({ message: 'rawBodyProperty must be the name of a request property' })
  @IsNotEmpty({ message: 'rawBodyProperty must be the name of a request property' })
  rawBodyProperty: string;

  @IsFiniteInRange(100, 120_000, 'milliseconds')
  requestTimeoutMs: number;

  @IsOptional()
  @IsCallable({ message: 'httpClient must be an axios instance (from axios.create())' })
  httpClient?: unknown;

  @IsBoolean({ message: 'enableBackgroundJobs must be true or false' })
  enableBackgroundJobs: boolean;

  @IsString({ message: 'defaultReturnUrl must be a URL or a path' })
  @IsNotEmpty({ message: 'defaultReturnUrl must be a URL or a path' })
  defaultReturnUrl: string;

  @IsFiniteInRange(1, 86_400, 'seconds')
  tokenRefreshIntervalSeconds: number;

  @IsFiniteInRange(1, 86_400, 'seconds')
  inboundSweepIntervalSeconds: number;

  @IsFiniteInRange(1, 64, '', { integer: true })
  inboundWorkers: number;

  @IsFiniteInRange(1, 1600, '', { integer: true })
  inboundEventsPerTransaction: number;

  @IsBoolean({ message: 'inboundProcessingPaused must be true or false' })
  inboundProcessingPaused: boolean;

  @IsFiniteInRange(0, 64, '', { integer: true })
  intakePoolSize: number;

  @IsBoolean({ message: 'webhookFastPath must be true or false' })
  webhookFastPath: boolean;

  @IsFiniteInRange(1, 64, '', { integer: true })
  tokenRefreshConcurrency: number;

  @IsFiniteInRange(0.1, 100, 'requests per second')
  rateLimitPerSecond: number;

  @IsFiniteInRange(1, 1000, 'messages', { integer: true })
  maxMessagesBeforeCustomerReply: number;

  @IsFiniteInRange(0, 1000, 'messages', { integer: true })
  maxMessagesAfterReplyWindow: number;

  @IsFiniteInRange(0, 120_000, 'milliseconds')
  sendWaitMs: number;

  @IsFiniteInRange(1, 86_400, 'seconds')
  outboundSweepIntervalSeconds: number;

  @IsFiniteInRange(1, 512, '', { integer: true })
  outboundConcurrency: number;

  @IsFiniteInRange(1, 50, '', { integer: true })
  maxSendAttempts: number;

  @IsFiniteInRange(0, 600_000, 'milliseconds')
  reconcileDelayMs: number;

  @IsFiniteInRange(1, 30 * 86_400, 'seconds')
  capabilitiesTtlSeconds: number;

  @IsFiniteInRange(1024, 1024 * 1024 * 1024, 'bytes', { integer: true })
  maxAttachmentBytes: number;

  @IsFiniteInRange(1024, 4 * 1024 * 1024 * 1024, 'bytes', { integer: true })
  maxInboundAttachmentBytes: number;

  @IsFiniteInRange(1024, 100 * 1024 * 1024, 'bytes', { integer: true })
  maxWebhookBytes: number;

  @IsFiniteInRange(0, 24 * 30, 'hours')
  earlyWebhookRetentionHours: number;
  @IsOptional()
  @IsServiceUrl()
  webhookCallbackUrl?: string;

  @IsFiniteInRange(1, 1000, '', { integer: true })
  maxPendingConnectsPerTenant: number;

  @IsRetention()
  retention: unknown;

  @IsFiniteInRange(60, 86_400, 'seconds')
  retentionIntervalSeconds: number;

  @IsFiniteInRange(1, 10_000, '', { integer: true })
  retentionBatchSize: number;

  @IsFiniteInRange(0, 604_800, 'seconds')
  refreshRefusalGraceSeconds: number;

  @IsFiniteInRange(1, 1000, 'failures', { integer: true })
  refreshFailureWarningThreshold: number;
}
