import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import {
  AUTOMATION_KINDS,
  AUTOMATION_TRIGGERS,
  type AutomationKind,
  type AutomationTrigger,
} from '../../database/entities/automation-rule.entity';

export class CreateAutomationRuleDto {
  /** Omitted: the rule applies to every inbox. */
  @IsOptional()
  @IsUUID('all', { message: 'inboxId must be a UUID' })
  inboxId?: string;

  @IsIn(AUTOMATION_TRIGGERS, {
    message: `trigger must be one of: ${AUTOMATION_TRIGGERS.join(', ')}`,
  })
  trigger: AutomationTrigger;

  @IsIn(AUTOMATION_KINDS, { message: `kind must be one of: ${AUTOMATION_KINDS.join(', ')}` })
  kind: AutomationKind;

  @IsString({ message: 'content must be a non-empty string' })
  @Matches(/\S/, { message: 'content must be a non-empty string' })
  content: string;

  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}
