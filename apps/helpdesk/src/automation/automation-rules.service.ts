import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import {
  AutomationRuleEntity,
  type AutomationKind,
  type AutomationTrigger,
} from '../database/entities/automation-rule.entity';
import { InboxesService } from '../inboxes/inboxes.service';
import { toAutomationRuleView, type AutomationRuleView } from './automation-rule.view';

/** Each kind of rule has one moment it can fire at; any other pairing would never send. */
const TRIGGER_OF_KIND: Record<AutomationKind, AutomationTrigger> = {
  auto_reply: 'first_message',
  csat: 'conversation_resolved',
};

export interface NewAutomationRule {
  inboxId?: string;
  trigger: AutomationTrigger;
  kind: AutomationKind;
  content: string;
  enabled?: boolean;
}

@Injectable()
export class AutomationRulesService {
  constructor(
    @InjectRepository(AutomationRuleEntity)
    private readonly rules: Repository<AutomationRuleEntity>,
    private readonly inboxes: InboxesService,
  ) {}

  async list(): Promise<AutomationRuleView[]> {
    const rules = await this.rules.find({ order: { createdAt: 'ASC' } });
    return rules.map(toAutomationRuleView);
  }

  async create(rule: NewAutomationRule): Promise<AutomationRuleView> {
    if (TRIGGER_OF_KIND[rule.kind] !== rule.trigger) {
      throw new BadRequestException(
        `a ${rule.kind} rule fires on ${TRIGGER_OF_KIND[rule.kind]}, not ${rule.trigger}`,
      );
    }
    if (rule.inboxId && !(await this.inboxes.exists(rule.inboxId))) {
      throw new BadRequestException(`inboxId ${rule.inboxId} does not name an inbox`);
    }
    const saved = await this.rules.save(
      this.rules.create({
        inboxId: rule.inboxId ?? null,
        trigger: rule.trigger,
        kind: rule.kind,
        content: rule.content,
        enabled: rule.enabled ?? true,
      }),
    );
    return toAutomationRuleView(saved);
  }

  async update(
    id: string,
    change: { inboxId?: string | null; content?: string; enabled?: boolean },
  ): Promise<AutomationRuleView> {
    const rule = isUUID(id) ? await this.rules.findOneBy({ id }) : null;
    if (!rule) throw new NotFoundException(`Automation rule ${id} does not exist`);
    if (change.inboxId && !(await this.inboxes.exists(change.inboxId))) {
      throw new BadRequestException(`inboxId ${change.inboxId} does not name an inbox`);
    }
    if (change.inboxId !== undefined) rule.inboxId = change.inboxId;
    if (change.content !== undefined) rule.content = change.content;
    if (change.enabled !== undefined) rule.enabled = change.enabled;
    return toAutomationRuleView(await this.rules.save(rule));
  }

  async remove(id: string): Promise<void> {
    const result = isUUID(id) ? await this.rules.delete({ id }) : { affected: 0 };
    if (!result.affected) throw new NotFoundException(`Automation rule ${id} does not exist`);
  }

  /** Enabled rules for this moment that apply to the inbox: its own and those for every inbox. */
  async enabledFor(
    trigger: AutomationTrigger,
    kind: AutomationKind,
    inboxId: string,
  ): Promise<AutomationRuleEntity[]> {
    return this.rules.find({
      where: [
        { trigger, kind, enabled: true, inboxId },
        { trigger, kind, enabled: true, inboxId: IsNull() },
      ],
      order: { createdAt: 'ASC' },
    });
  }
}
