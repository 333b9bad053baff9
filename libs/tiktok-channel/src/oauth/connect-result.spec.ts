import { returnUrlFor } from './connect-result';

describe('returnUrlFor', () => {
  it('keeps a relative return URL relative and adds the outcome', () => {
    expect(
      returnUrlFor({
        status: 'error',
        returnUrl: '/settings?tab=inboxes',
        reason: 'access_denied',
      }),
    ).toBe('/settings?tab=inboxes&tiktok_status=error&tiktok_reason=access_denied');
  });

  it('keeps an absolute return URL absolute', () => {
    expect(
      returnUrlFor({
        status: 'connected',
        returnUrl: 'https://desk.example.com/',
        inboxId: 'i1',
        reconnected: false,
      }),
    ).toBe('https://desk.example.com/?tiktok_status=connected&inbox_id=i1');
  });
});
