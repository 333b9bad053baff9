import { IsBoolean, IsOptional, IsString, IsUUID, Matches, ValidateIf } from 'class-validator';

/** What an admin may change on a rule; its kind and trigger are what it is, so they stay. */
export class UpdateAutomationRuleDto {
  /** `null`: the rule applies to every inbox. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID('all', { message: 'inboxId must be a UUID or null' })
  inboxId?: string | null;

  @IsOptional()
  @IsString({ message: 'content must be a non-empty string' })
  @Matches(/\S/, { message: 'content must be a non-empty string' })
  content?: string;

  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}
