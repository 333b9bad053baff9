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

  it('refuses a reply more than 48 hours after the last customer message once the allowance after the window is used', () => {
    const lastInboundAt = new Date(now.getTime() - REPLY_WINDOW_MS - 1000);
    const violation = checkSendRules({ ...base, lastInboundAt, sentAfterWindow: 3 });
    expect(violation?.reason).toBe('reply_window_expired');
    expect(violation?.detail).toContain('48 hours');
  });

  it('allows the messages a host opted into after the window, counted', () => {
    const lastInboundAt = new Date(now.getTime() - REPLY_WINDOW_MS - 1000);
    const caps = { beforeCustomerReply: 10, afterReplyWindow: 3 };
    expect(checkSendRules({ ...base, lastInboundAt, sentAfterWindow: 2, caps })).toBeNull();
    expect(
      checkSendRules({ ...base, lastInboundAt, sentAfterWindow: 2, partCount: 2, caps })?.reason,
    ).toBe('reply_window_expired');
  });

  it('refuses every reply after the window by default', () => {
    const lastInboundAt = new Date(now.getTime() - REPLY_WINDOW_MS - 1000);
    expect(checkSendRules({ ...base, lastInboundAt })?.reason).toBe('reply_window_expired');
  });

  it('refuses an 11th message before the customer writes again, naming the cap', () => {
    expect(checkSendRules({ ...base, sentSinceCustomer: 9 })).toBeNull();
    const violation = checkSendRules({ ...base, sentSinceCustomer: 10 });
    expect(violation?.reason).toBe('message_cap_reached');
    expect(violation?.detail).toContain('10 messages');
  });

  it('counts every TikTok message a send needs against the cap', () => {
    expect(checkSendRules({ ...base, sentSinceCustomer: 8, partCount: 3 })?.reason).toBe(
      'message_cap_reached',
    );
  });

  it('takes an empty text with attachments', () => {
    expect(checkSendRules({ ...base, content: '', hasAttachments: true })).toBeNull();
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

  it('splits 13,000 characters of sentences into 3 parts, each ending at a sentence', () => {
    const sentence = (i: number) =>
      `This is sentence number ${i} of a long answer, padded out a bit.`;
    let text = '';
    for (let i = 0; [...text].length < 13_000; i++) text += (text ? ' ' : '') + sentence(i);
    text = text.slice(0, 13_000);
    const parts = splitText(text);
    expect(parts).toHaveLength(3);
    for (const part of parts.slice(0, -1)) expect(part).toMatch(/\.$/);
    expect(parts.join(' ')).toBe(text);
  });

  it('prefers a paragraph break to a sentence end', () => {
    const first = 'A'.repeat(3500) + '. ' + 'B'.repeat(1000) + '.';
    const text = `${first}\n\n${'C. '.repeat(1500)}`;
    expect(splitText(text)[0]).toBe(first);
  });

  it('cuts a text without spaces hard, without splitting a code point', () => {
    const text = '😀'.repeat(MAX_TEXT_LENGTH + 10);
    const parts = splitText(text);
    expect(parts.map((p) => [...p].length)).toEqual([MAX_TEXT_LENGTH, 10]);
    expect(parts.join('')).toBe(text);
  });
});
