import { randomBytes } from 'node:crypto';
import { resolveTiktokChannelConfig, TiktokChannelConfigError } from './tiktok-channel.config';
import type { TiktokChannelModuleOptions } from './tiktok-channel.options';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

const valid: TiktokChannelModuleOptions = {
  appId: 'app_1',
  appSecret: 'secret',
  redirectUri: 'https://helpdesk.example.com/tiktok/oauth/callback',
  tokenEncryptionKeys: [key('k1')],
  resolveConnectContext: () => ({ tenant: 't', returnUrl: '/' }),
};

function problemsOf(options: Partial<TiktokChannelModuleOptions> | Record<string, unknown>) {
  try {
    resolveTiktokChannelConfig({ ...valid, ...options } as TiktokChannelModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(TiktokChannelConfigError);
    return (error as TiktokChannelConfigError).problems;
  }
  throw new Error('expected the options to be refused');
}

describe('The module options', () => {
  it('accept a valid configuration and fill in the defaults', () => {
    const config = resolveTiktokChannelConfig(valid);
    expect(config).toMatchObject({
      webhookToleranceSeconds: 300,
      refreshLeadSeconds: 600,
      tokenRefreshIntervalSeconds: 60,
      inboundSweepIntervalSeconds: 5,
      tokenRefreshConcurrency: 4,
      refreshRefusalGraceSeconds: 600,
      refreshFailureWarningThreshold: 3,
      enableBackgroundJobs: true,
    });
  });

  it('fill in the sending defaults: the contract’s caps, 10 requests per second per business', () => {
    expect(resolveTiktokChannelConfig(valid)).toMatchObject({
      rateLimitPerSecond: 10,
      maxMessagesBeforeCustomerReply: 10,
      maxMessagesAfterReplyWindow: 0,
      sendWaitMs: 5000,
      outboundSweepIntervalSeconds: 5,
      outboundConcurrency: 16,
      maxSendAttempts: 8,
      reconcileDelayMs: 2000,
      capabilitiesTtlSeconds: 3600,
      maxAttachmentBytes: 25 * 1024 * 1024,
    });
    expect(
      resolveTiktokChannelConfig({ ...valid, maxMessagesAfterReplyWindow: 3, sendWaitMs: 0 }),
    ).toMatchObject({ maxMessagesAfterReplyWindow: 3, sendWaitMs: 0 });
  });

  it('fill in the retention defaults, keeping the ages a host sets', () => {
    expect(resolveTiktokChannelConfig(valid)).toMatchObject({
      retention: {
        webhookBodyDays: 7,
        webhookEventDays: 30,
        parkedEventDays: 30,
        outboundMessageDays: 30,
      },
      retentionIntervalSeconds: 3600,
      retentionBatchSize: 500,
      maxPendingConnectsPerTenant: 20,
    });
    expect(
      resolveTiktokChannelConfig({
        ...valid,
        retention: { webhookBodyDays: 2, parkedEventDays: undefined },
      }).retention,
    ).toEqual({
      webhookBodyDays: 2,
      webhookEventDays: 30,
      parkedEventDays: 30,
      outboundMessageDays: 30,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'events kept less than TikTok redelivers',
      { retention: { webhookEventDays: 3 } },
      /retention\.webhookEventDays .*between 4 and/,
    ],
    [
      'bodies kept longer than their rows',
      { retention: { webhookBodyDays: 40 } },
      /webhookBodyDays must not exceed retention\.webhookEventDays/,
    ],
    ['a NaN parked age', { retention: { parkedEventDays: NaN } }, /retention\.parkedEventDays/],
    [
      'a webhook URL that is not https',
      { webhookCallbackUrl: 'http://helpdesk.example.com/x' },
      /webhookCallbackUrl/,
    ],
    [
      'no room for a single attempt per tenant',
      { maxPendingConnectsPerTenant: 0 },
      /maxPendingConnectsPerTenant/,
    ],
  ])('refuse %s', (_case, options, problem) => {
    expect(problemsOf(options).join('\n')).toMatch(problem);
  });

  it('accept plain http only on this machine (the sandbox)', () => {
    for (const apiBaseUrl of [
      'http://127.0.0.1:4010/open_api/v1.3/',
      'http://localhost:4010/open_api/v1.3/',
      'http://[::1]:4010/open_api/v1.3/',
    ]) {
      expect(() => resolveTiktokChannelConfig({ ...valid, apiBaseUrl })).not.toThrow();
    }
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a NaN webhook tolerance',
      { webhookToleranceSeconds: NaN },
      /webhookToleranceSeconds .*1 and 900.*NaN/,
    ],
    ['a zero webhook tolerance', { webhookToleranceSeconds: 0 }, /webhookToleranceSeconds/],
    ['a webhook tolerance over 900 s', { webhookToleranceSeconds: 901 }, /webhookToleranceSeconds/],
    [
      'an infinite webhook tolerance',
      { webhookToleranceSeconds: Infinity },
      /webhookToleranceSeconds/,
    ],
    ['a negative refresh lead', { refreshLeadSeconds: -5 }, /refreshLeadSeconds .*at least 60/],
    ['a refresh lead under 60 s', { refreshLeadSeconds: 59 }, /refreshLeadSeconds/],
    [
      'a sweep interval under 1 s',
      { inboundSweepIntervalSeconds: 0.5 },
      /inboundSweepIntervalSeconds/,
    ],
    ['a NaN refresh interval', { tokenRefreshIntervalSeconds: NaN }, /tokenRefreshIntervalSeconds/],
    [
      'a fractional concurrency',
      { tokenRefreshConcurrency: 2.5 },
      /tokenRefreshConcurrency .*integer/,
    ],
    [
      'a negative refusal grace',
      { refreshRefusalGraceSeconds: -1 },
      /refreshRefusalGraceSeconds .*between 0 and 604800/,
    ],
    [
      'a NaN refusal grace',
      { refreshRefusalGraceSeconds: NaN },
      /refreshRefusalGraceSeconds .*NaN/,
    ],
    [
      'a warning threshold of zero',
      { refreshFailureWarningThreshold: 0 },
      /refreshFailureWarningThreshold .*between 1 and 1000/,
    ],
    [
      'a fractional warning threshold',
      { refreshFailureWarningThreshold: 1.5 },
      /refreshFailureWarningThreshold .*integer/,
    ],
    ['a request timeout given as text', { requestTimeoutMs: '1000' }, /requestTimeoutMs/],
    ['a zero rate limit', { rateLimitPerSecond: 0 }, /rateLimitPerSecond .*0.1 and 100/],
    [
      'a fractional message cap',
      { maxMessagesBeforeCustomerReply: 2.5 },
      /maxMessagesBeforeCustomerReply .*integer/,
    ],
    [
      'a negative allowance after the window',
      { maxMessagesAfterReplyWindow: -1 },
      /maxMessagesAfterReplyWindow/,
    ],
    ['no attempts at all', { maxSendAttempts: 0 }, /maxSendAttempts/],
    ['a NaN wait for the outcome', { sendWaitMs: NaN }, /sendWaitMs/],
    [
      'a malformed encryption key',
      { tokenEncryptionKeys: ['k1:not-32-bytes'] },
      /tokenEncryptionKeys: .*#1 must be 32 bytes/,
    ],
    [
      'a key without an id',
      { tokenEncryptionKeys: [randomBytes(32).toString('base64')] },
      /#1 must be formatted/,
    ],
    [
      'a duplicate key id',
      { tokenEncryptionKeys: [key('k1'), key('k1')] },
      /#1 and #2 share the same key id/,
    ],
    ['no keys at all', { tokenEncryptionKeys: [] }, /at least one key/],
    [
      'a relative redirect URI',
      { redirectUri: '/tiktok/oauth/callback' },
      /redirectUri must be an absolute https URL/,
    ],
    [
      'an http API URL off this machine',
      { apiBaseUrl: 'http://business-api.tiktok.com/open_api/v1.3/' },
      /apiBaseUrl must be an absolute https URL/,
    ],
    ['an authorize URL that is not a URL', { authorizeUrl: 'tiktok' }, /authorizeUrl/],
    ['an empty app id', { appId: '' }, /appId is required/],
    [
      'a resolver that is not a function',
      { resolveConnectContext: 'tenant-1' },
      /resolveConnectContext must be a function/,
    ],
    [
      'required scopes that are not requested',
      { scopes: ['user.info.basic'] },
      /required scopes are not requested: message.list.read/,
    ],
  ])('refuse %s, naming the option', (_case, options, expected) => {
    const problems = problemsOf(options);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('report every problem at once, in one TiktokChannelConfigError', () => {
    const problems = problemsOf({
      webhookToleranceSeconds: NaN,
      refreshLeadSeconds: -1,
      inboundSweepIntervalSeconds: 0,
      tokenEncryptionKeys: [key('k1'), 'k1:short'],
      redirectUri: 'callback',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^redirectUri /),
      expect.stringMatching(/^tokenEncryptionKeys: .*#2 must be 32 bytes/),
      expect.stringMatching(/^webhookToleranceSeconds /),
      expect.stringMatching(/^refreshLeadSeconds /),
      expect.stringMatching(/^inboundSweepIntervalSeconds /),
    ]);
    expect(() =>
      resolveTiktokChannelConfig({
        ...valid,
        webhookToleranceSeconds: NaN,
        refreshLeadSeconds: -1,
      }),
    ).toThrow(/misconfigured:\n {2}- webhookToleranceSeconds.*\n {2}- refreshLeadSeconds/);
  });

  it('never echo key material in a refusal', () => {
    const material = randomBytes(31).toString('base64');
    const problems = problemsOf({ tokenEncryptionKeys: [`k1:${material}`] });
    expect(problems.join('\n')).not.toContain(material);
  });
});
