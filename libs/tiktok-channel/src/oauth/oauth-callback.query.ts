import { IsOptional, IsString, MaxLength, validateSync } from 'class-validator';

/**
 * TikTok's redirect back to `redirect_uri`. Every field is optional (a refusal carries `error`
 * instead of `code`), unknown parameters such as `scopes` are ignored, and anything that is not a
 * single, reasonably sized string (`?code=a&code=b`, a megabyte of state) makes the whole callback
 * unusable before any database work.
 */
export class OauthCallbackQuery {
  @IsOptional() @IsString() @MaxLength(512) state?: string;
  @IsOptional() @IsString() @MaxLength(2048) code?: string;
  /** Some TikTok surfaces name the code `auth_code`. */
  @IsOptional() @IsString() @MaxLength(2048) auth_code?: string;
  @IsOptional() @IsString() @MaxLength(256) error?: string;
  @IsOptional() @IsString() @MaxLength(256) error_code?: string;
  @IsOptional() @IsString() @MaxLength(4096) error_description?: string;
}

const FIELDS = ['state', 'code', 'auth_code', 'error', 'error_code', 'error_description'] as const;

/** The callback's known parameters, or the list of what is wrong with them. */
export function readOauthCallbackQuery(
  raw: Record<string, unknown>,
): { ok: true; query: OauthCallbackQuery } | { ok: false; problems: string[] } {
  const query = new OauthCallbackQuery();
  for (const field of FIELDS) {
    if (raw[field] !== undefined) (query as Record<string, unknown>)[field] = raw[field];
  }
  const problems = validateSync(query).flatMap((error) => Object.values(error.constraints ?? {}));
  return problems.length === 0 ? { ok: true, query } : { ok: false, problems };
}
