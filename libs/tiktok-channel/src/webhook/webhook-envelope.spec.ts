import { parseWebhook } from './webhook-envelope';

const message = {
  conversation_id: 'conv_42+x',
  message_id: 'msg_9001',
  timestamp: 1764000000123,
  type: 'text',
  text: { body: 'Is the blue one in stock?' },
};

function body(envelope: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

describe('parseWebhook', () => {
  it('reads content given as a JSON string, the way TikTok sends it', () => {
    const parsed = parseWebhook(
      body({
        event: 'im_receive_msg',
        user_openid: 'biz_1',
        create_time: 1,
        content: JSON.stringify(message),
      }),
    );
    expect(parsed).toMatchObject({
      event: 'im_receive_msg',
      businessId: 'biz_1',
      conversationId: 'conv_42+x',
      timestamp: 1764000000123,
      dedupeKey: 'im_receive_msg:biz_1:msg_9001',
      handled: true,
    });
  });

  it('accepts content given as an object and ignores fields it does not know', () => {
    const parsed = parseWebhook(
      body({
        event: 'im_receive_msg',
        user_openid: 'biz_1',
        content: { ...message, brand_new_field: [1] },
        extra: true,
      }),
    );
    expect(parsed.handled).toBe(true);
    expect(parsed.content?.brand_new_field).toEqual([1]);
  });

  it('gives the same key to a redelivery with a different create_time', () => {
    const first = parseWebhook(
      body({ event: 'im_send_msg', user_openid: 'b', create_time: 1, content: message }),
    );
    const again = parseWebhook(
      body({ event: 'im_send_msg', user_openid: 'b', create_time: 9, content: message }),
    );
    expect(again.dedupeKey).toBe(first.dedupeKey);
  });

  it('keys read receipts by conversation, reader and read time', () => {
    const parsed = parseWebhook(
      body({
        event: 'im_mark_read_msg',
        user_openid: 'b',
        content: {
          conversation_id: 'c',
          from_user: { id: 'u' },
          read: { last_read_timestamp: 1764000000999 },
        },
      }),
    );
    expect(parsed.dedupeKey).toBe('im_mark_read_msg:b:c:u:1764000000999');
    expect(parsed.timestamp).toBe(1764000000999);
  });

  it('keeps events it does not handle, marked as not handled', () => {
    const parsed = parseWebhook(
      body({ event: 'im_auto_message_welcome', user_openid: 'b', content: '{}' }),
    );
    expect(parsed.handled).toBe(false);
    expect(parsed.ignoredReason).toBe('event im_auto_message_welcome is not handled');
    expect(parsed.dedupeKey).toMatch(/^raw:/);
  });

  it('keeps an unreadable body instead of throwing', () => {
    const parsed = parseWebhook(Buffer.from('not json'));
    expect(parsed).toMatchObject({ event: 'unreadable', handled: false });
  });
});
