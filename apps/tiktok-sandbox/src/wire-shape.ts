import { BadRequestException } from '@nestjs/common';
import { Params, asParams } from './params';

/**
 * How one event goes on the wire. Real TikTok varies all of these (webhook vs REST casing, content
 * as a string or an object, ids as numbers, timestamps in seconds, a sender named only by
 * `unique_identifier`, no `to_user`); the defaults are the sandbox's usual shape.
 */
export interface WireShape {
  /** `webhook`: lower-case enums (`text`, `personal_account`); `rest`: upper-case (`TEXT`). */
  casing: 'webhook' | 'rest';
  /** `content` as a JSON string to parse twice (default), or as a JSON object. */
  content: 'string' | 'object';
  /** `number`: every all-digit id (message ids, numeric user ids) goes out as a JSON number. */
  ids: 'string' | 'number';
  /** `timestamp` (and the timestamps inside `read` and `reaction`) in ms (default) or s. */
  timestamps: 'ms' | 's';
  /** Who wrote: `from_user` (default), `unique_identifier` only, or both. */
  sender: 'from_user' | 'unique_identifier' | 'both';
  /** False leaves `to_user` out. */
  toUser: boolean;
}

export const DEFAULT_WIRE_SHAPE: WireShape = {
  casing: 'webhook',
  content: 'string',
  ids: 'string',
  timestamps: 'ms',
  sender: 'from_user',
  toUser: true,
};

function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[], fallback: T) {
  const value = params[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new BadRequestException(
      `wire.${name} must be one of ${allowed.map((item) => `"${item}"`).join(', ')}`,
    );
  }
  return value as T;
}

/** Reads the optional `wire` object of a control call; unknown fields are refused (typos). */
export function readWireShape(value: unknown): WireShape {
  if (value === undefined || value === null) return DEFAULT_WIRE_SHAPE;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestException('wire must be an object');
  }
  const params = asParams(value);
  const known = new Set(Object.keys(DEFAULT_WIRE_SHAPE));
  const unknown = Object.keys(params).filter((name) => !known.has(name));
  if (unknown.length) {
    throw new BadRequestException(
      `wire has unknown fields ${unknown.join(', ')}; known: ${[...known].join(', ')}`,
    );
  }
  const toUser = params.toUser ?? true;
  if (typeof toUser !== 'boolean') throw new BadRequestException('wire.toUser must be a boolean');
  return {
    casing: oneOf(params, 'casing', ['webhook', 'rest'], DEFAULT_WIRE_SHAPE.casing),
    content: oneOf(params, 'content', ['string', 'object'], DEFAULT_WIRE_SHAPE.content),
    ids: oneOf(params, 'ids', ['string', 'number'], DEFAULT_WIRE_SHAPE.ids),
    timestamps: oneOf(params, 'timestamps', ['ms', 's'], DEFAULT_WIRE_SHAPE.timestamps),
    sender: oneOf(
      params,
      'sender',
      ['from_user', 'unique_identifier', 'both'],
      DEFAULT_WIRE_SHAPE.sender,
    ),
    toUser,
  };
}

/** All digits and exact as a JSON number (a double): what may go out as a number. */
export function isNumericId(value: string): boolean {
  return /^\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value));
}

/** The helpers an event builder uses to put one value on the wire in the chosen shape. */
export class WireWriter {
  constructor(readonly shape: WireShape) {}

  /** An enum value such as a type or a role: lower-case for webhooks, upper-case for REST. */
  enumValue(value: string): string {
    return this.shape.casing === 'rest' ? value.toUpperCase() : value.toLowerCase();
  }

  /** An id: a JSON number when asked for and it is all digits (and safe as a double). */
  id(value: string): string | number {
    if (this.shape.ids === 'number' && isNumericId(value)) return Number(value);
    return value;
  }

  timestamp(ms: number): number {
    return this.shape.timestamps === 's' ? Math.floor(ms / 1000) : ms;
  }

  participant(id: string, role: 'personal_account' | 'business_account') {
    return { id: this.id(id), role: this.enumValue(role) };
  }

  /**
   * The sender and recipient fields: `from_user` and/or `unique_identifier`, and `to_user` unless
   * left out. `from` and `to` (usernames) are always there.
   */
  parties(
    sender: { id: string; username: string; role: 'personal_account' | 'business_account' },
    recipient: { id: string; username: string; role: 'personal_account' | 'business_account' },
  ): Record<string, unknown> {
    const fromUser =
      this.shape.sender === 'unique_identifier'
        ? {}
        : { from_user: this.participant(sender.id, sender.role) };
    const uniqueIdentifier =
      this.shape.sender === 'from_user' ? {} : { unique_identifier: this.id(sender.id) };
    const toUser = this.shape.toUser
      ? { to_user: this.participant(recipient.id, recipient.role) }
      : {};
    return {
      from: sender.username,
      to: recipient.username,
      ...fromUser,
      ...uniqueIdentifier,
      ...toUser,
    };
  }

  /** TikTok sends `content` as a JSON string inside the JSON body; some deliveries as an object. */
  content(content: Record<string, unknown>): string | Record<string, unknown> {
    return this.shape.content === 'object' ? content : JSON.stringify(content);
  }
}
