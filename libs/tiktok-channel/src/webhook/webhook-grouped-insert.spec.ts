import { parseWebhook } from './webhook-envelope';
import { groupedIntakeRows } from './webhook-grouped-insert';

function delivery(messageId: string, text = messageId) {
  const rawBody = Buffer.from(
    JSON.stringify({
      client_key: 'app',
      event: 'im_receive_msg',
      create_time: 1764000000,
      user_openid: 'biz',
      content: JSON.stringify({
        conversation_id: 'c1',
        message_id: messageId,
        timestamp: 1764000000000,
        type: 'text',
        text: { body: text },
        from_user: { id: 'u1', role: 'personal_account' },
        to_user: { id: 'biz', role: 'business_account' },
      }),
    }),
  );
  return { webhook: parseWebhook(rawBody), rawBody };
}

describe('groupedIntakeRows', () => {
  it('sends each dedupe key once, its first copy, in key order (so groups in flight never deadlock)', () => {
    const deliveries = [
      delivery('m3'),
      delivery('m1'),
      delivery('m3', 'second copy'),
      delivery('m2'),
    ];
    const { parameters, firstIndex } = groupedIntakeRows(deliveries);
    const keys = parameters[0] as string[];
    expect(keys).toEqual([...keys].sort());
    expect(keys).toHaveLength(3);
    expect(firstIndex.get(deliveries[0].webhook.dedupeKey)).toBe(0);
    const m3 = keys.indexOf(deliveries[0].webhook.dedupeKey);
    expect(parameters[5][m3]).toBe(deliveries[0].rawBody);
    expect(parameters.every((column) => column.length === 3)).toBe(true);
  });
});
