import type {
  AutomationKind,
  AutomationRuleEntity,
  AutomationTrigger,
} from '../database/entities/automation-rule.entity';

export interface AutomationRuleView {
  id: string;
  inboxId: string | null;
  trigger: AutomationTrigger;
  kind: AutomationKind;
  content: string;
  enabled: boolean;
  createdAt: string;
}

export function toAutomationRuleView(rule: AutomationRuleEntity): AutomationRuleView {
  return {
    id: rule.id,
    inboxId: rule.inboxId,
    trigger: rule.trigger,
    kind: rule.kind,
    content: rule.content,
    enabled: rule.enabled,
    createdAt: rule.createdAt.toISOString(),
  };
}
