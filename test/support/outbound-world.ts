import { followRedirects } from './e2e-harness';
import type { LibraryHost } from './library-host';
import { SandboxControl } from './sandbox-control';

export interface ConnectedBusiness {
  businessId: string;
  username: string;
}

export interface OpenConversation {
  /** The host's conversation id, what the messenger takes. */
  conversationId: string;
  tiktokConversationId: string;
  userId: string;
  /** TikTok message id of the customer's first message. */
  firstMessageId: string;
}

/** Connects a Business account the way a person does, through the sandbox's consent. */
export async function connectBusiness(
  host: LibraryHost,
  username: string,
): Promise<ConnectedBusiness> {
  const sandbox = new SandboxControl(host.sandbox.url);
  await sandbox.queueConsent(username, 'business', 'approve');
  await followRedirects(`${host.url}/tiktok/oauth/authorize`);
  const { rows } = await host.db.query<{ business_id: string }>(
    `SELECT business_id FROM tiktok_accounts WHERE username = $1`,
    [username],
  );
  if (!rows[0]) throw new Error(`connecting ${username} stored no account`);
  return { businessId: rows[0].business_id, username };
}

/** A customer writes to the business; resolves once the host has the conversation. */
export async function customerWrites(
  host: LibraryHost,
  businessId: string,
  username: string,
  text = 'Hello!',
): Promise<OpenConversation> {
  const sandbox = new SandboxControl(host.sandbox.url);
  const userId = await sandbox.createUser(username, username);
  const sent = await sandbox.sendAsUser(userId, businessId, text);
  const message = await host.received(sent.messageId);
  return {
    conversationId: message.conversationId,
    tiktokConversationId: sent.conversationId,
    userId,
    firstMessageId: sent.messageId,
  };
}
