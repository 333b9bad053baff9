import { checkSendRules, MAX_TEXT_LENGTH, REPLY_WINDOW_MS, splitText } from './messaging-rules';

describe('checkSendRules', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const base = {
    accountStatus: 'active' as const,
    lastInboundAt: new Date(now.getTime() - 60_000),
    content: 'hi',
    now,
  };

  it('allows a reply inside the 48-hour window', () => {
    expect(checkSendRules(base)).toBeNull();
  });

  it('refuses to start a conversation the customer never wrote in', () => {
    expect(checkSendRules({ ...base, lastInboundAt: null })?.reason).toBe('first_contact_required');
  });

  it('refuses a reply more than 48 hours after the last customer message', () => {
    const lastInboundAt = new Date(now.getTime() - REPLY_WINDOW_MS - 1000);
    const violation = checkSendRules({ ...base, lastInboundAt });
    expect(violation?.reason).toBe('reply_window_expired');
    expect(violation?.detail).toContain('48 hours');
  });

  it('still allows a reply just inside the window', () => {
    expect(
      checkSendRules({ ...base, lastInboundAt: new Date(now.getTime() - REPLY_WINDOW_MS + 1000) }),
    ).toBeNull();
  });

  it('refuses an empty message', () => {
    expect(checkSendRules({ ...base, content: '  \n' })?.reason).toBe('invalid_content');
  });

  it('refuses to send from an account that needs reauthorization', () => {
    expect(checkSendRules({ ...base, accountStatus: 'reauthorization_required' })?.reason).toBe(
      'reauthorization_required',
    );
  });
});

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('hello')).toEqual(['hello']);
  });

  it('splits a long text into parts TikTok accepts, at word boundaries', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(words);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect([...part].length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(parts.join(' ')).toBe(words);
  });

  it('cuts a text without spaces hard, without splitting a code point', () => {
    const text = '😀'.repeat(MAX_TEXT_LENGTH + 10);
    const parts = splitText(text);
    expect(parts.map((p) => [...p].length)).toEqual([MAX_TEXT_LENGTH, 10]);
    expect(parts.join('')).toBe(text);
  });
});
