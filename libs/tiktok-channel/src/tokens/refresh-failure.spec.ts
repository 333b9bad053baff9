import { TiktokApiError } from '../api/tiktok-api.error';
import type { TiktokErrorClass } from '../api/tiktok-api.types';
import { classifyRefreshFailure, describeRefreshFailure } from './refresh-failure';

const ENDPOINT = 'tt_user/oauth2/refresh_token/';

function apiError(init: { errorClass: TiktokErrorClass; code?: number; httpStatus?: number }) {
  return new TiktokApiError({ ...init, endpoint: ENDPOINT, message: 'TikTok said no' });
}

describe('A failed refresh', () => {
  it.each([40103, 40107])('is a refusal of the refresh token when TikTok answers %i', (code) => {
    expect(classifyRefreshFailure(apiError({ errorClass: 'auth_revoked', code }))).toBe('refused');
  });

  it.each([40103, 40107])(
    'is a refusal when TikTok answers %i with a non-2xx status too',
    (code) => {
      const error = apiError({ errorClass: 'auth_revoked', code, httpStatus: 401 });
      expect(classifyRefreshFailure(error)).toBe('refused');
    },
  );

  it.each<[string, { errorClass: TiktokErrorClass; code?: number; httpStatus?: number }]>([
    ['a codeless 400 (a proxy)', { errorClass: 'invalid_request', httpStatus: 400 }],
    ['a codeless 401', { errorClass: 'invalid_request', httpStatus: 401 }],
    [
      'a codeless 403 (a firewall), even classed as an auth failure',
      { errorClass: 'auth_revoked', httpStatus: 403 },
    ],
    ['a codeless 404 (a wrong base URL)', { errorClass: 'invalid_request', httpStatus: 404 }],
    ['a codeless 500', { errorClass: 'transient', httpStatus: 500 }],
    ['a codeless 503', { errorClass: 'transient', httpStatus: 503 }],
    ['50000', { errorClass: 'transient', code: 50000 }],
    ['51065', { errorClass: 'transient', code: 51065 }],
    [
      '40001, a problem of the app rather than of the grant',
      { errorClass: 'auth_revoked', code: 40001 },
    ],
    ['40105, about access tokens', { errorClass: 'auth_expired', code: 40105 }],
    ['40110, about authorization codes', { errorClass: 'connect_failed', code: 40110 }],
    ['a code the contract does not list', { errorClass: 'invalid_request', code: 40999 }],
    ['a timeout', { errorClass: 'transient' }],
  ])('is transient when it is %s', (_case, init) => {
    expect(classifyRefreshFailure(apiError(init))).toBe('transient');
  });

  it('is transient when it is not a TikTok error at all', () => {
    expect(classifyRefreshFailure(new Error('socket hang up'))).toBe('transient');
  });

  it('is described with its code or HTTP status, without anything else of the request', () => {
    expect(describeRefreshFailure(apiError({ errorClass: 'auth_revoked', code: 40107 }))).toBe(
      'code 40107: TikTok said no',
    );
    expect(
      describeRefreshFailure(apiError({ errorClass: 'invalid_request', httpStatus: 403 })),
    ).toBe('HTTP 403 without a TikTok code: TikTok said no');
    expect(describeRefreshFailure(new TypeError('x'.repeat(600)))).toHaveLength(500);
  });
});
