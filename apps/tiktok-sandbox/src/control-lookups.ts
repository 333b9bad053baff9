import { BadRequestException, NotFoundException } from '@nestjs/common';
import { Account, Conversation, SandboxState, StoredMessage, TikTokUser } from './sandbox-state';
import { WireShape, isNumericId } from './wire-shape';

// What the people's control calls look up, each with the 400 or 404 that says what is wrong.

export function personOf(state: SandboxState, userId: string): TikTokUser {
  const user = state.users.get(userId);
  if (!user) {
    throw new BadRequestException(`${userId} is not a user created with POST /sandbox/users`);
  }
  return user;
}

export function businessOf(state: SandboxState, openId: string): Account {
  const account = state.accounts.get(openId);
  if (!account) {
    throw new BadRequestException(
      `no account ${openId}: connect it through the consent page first`,
    );
  }
  if (account.accountType !== 'business') {
    throw new BadRequestException(
      `${openId} is a personal account: it cannot receive business messages`,
    );
  }
  return account;
}

export function conversationOf(state: SandboxState, conversationId: string): Conversation {
  const conversation = state.conversations.get(conversationId);
  if (!conversation) throw new NotFoundException(`no conversation ${conversationId}`);
  return conversation;
}

export function messageOf(state: SandboxState, messageId: string): StoredMessage {
  const message = state.messages.get(messageId);
  if (!message) throw new NotFoundException(`no message ${messageId}`);
  return message;
}

/** The conversation with its business and its person. */
export function partiesOf(state: SandboxState, conversationId: string) {
  const conversation = conversationOf(state, conversationId);
  return {
    conversation,
    business: businessOf(state, conversation.businessId),
    user: personOf(state, conversation.userId),
  };
}

/** Ids as JSON numbers need a person whose id is all digits (`numericId` at creation). */
export function checkNumericIds(wire: WireShape, user: TikTokUser): void {
  if (wire.ids === 'number' && !isNumericId(user.userId)) {
    throw new BadRequestException(
      `wire.ids "number" needs a person with an all-digit id: create ${user.username} with POST /sandbox/users { numericId: true } (or use another username)`,
    );
  }
}
