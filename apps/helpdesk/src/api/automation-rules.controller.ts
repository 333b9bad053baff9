import { Body, Controller, Get, Post, UsePipes } from '@nestjs/common';
import type { AutomationRuleView } from '../automation/automation-rule.view';
import { AutomationRulesService } from '../automation/automation-rules.service';
import { CreateAutomationRuleDto } from './dto/create-automation-rule.dto';
import { helpdeskValidation } from './validation';
import { HelpdeskApi } from '../auth/helpdesk-api.decorator';

@Controller('api/automation-rules')
@HelpdeskApi()
@UsePipes(helpdeskValidation)
export class AutomationRulesController {
  constructor(private readonly rules: AutomationRulesService) {}

  @Get()
  list(): Promise<AutomationRuleView[]> {
    return this.rules.list();
  }

  @Post()
  create(@Body() body: CreateAutomationRuleDto): Promise<AutomationRuleView> {
    return this.rules.create(body);
  }
}
