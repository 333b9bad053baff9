import { BadRequestException } from '@nestjs/common';
import { MAX_TEXT_LENGTH, characterCount } from './messaging-rules';
import { Params } from './params';

// The control API's field readers: a 400 naming the field, never a silent default for bad input.

// `label` names a nested field in the error (`media.format`); it defaults to the name.

export function field(params: Params, name: string, label = name): string {
  const value = params[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestException(`${label} is required (a non-empty string)`);
  }
  return value.trim();
}

export function optionalText(params: Params, name: string, label = name): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequestException(`${label} must be a string`);
  return value;
}

export function optionalNumber(params: Params, name: string, label = name): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BadRequestException(`${label} must be a number`);
  }
  return value;
}

export function optionalBoolean(params: Params, name: string, label = name): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new BadRequestException(`${label} must be a boolean`);
  return value;
}

export function optionalChoice<T extends string>(
  params: Params,
  name: string,
  allowed: readonly T[],
  label = name,
): T | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new BadRequestException(
      `${label} must be one of ${allowed.map((item) => `"${item}"`).join(', ')}`,
    );
  }
  return value as T;
}

export function messageText(params: Params): string {
  const text = params.text;
  if (typeof text !== 'string' || text.length === 0 || characterCount(text) > MAX_TEXT_LENGTH) {
    throw new BadRequestException(`text must be a string of 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  return text;
}
