import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  UsePipes,
} from '@nestjs/common';
import { AdminOnly } from '../auth/signed-in.guard';
import { UpdateAutomationRuleDto } from './dto/update-automation-rule.dto';
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
  @AdminOnly()
  create(@Body() body: CreateAutomationRuleDto): Promise<AutomationRuleView> {
    return this.rules.create(body);
  }

  /** `{ content?, enabled?, inboxId? }`: edits, disables or enables a rule (admin only). */
  @Patch(':id')
  @AdminOnly()
  update(
    @Param('id') id: string,
    @Body() body: UpdateAutomationRuleDto,
  ): Promise<AutomationRuleView> {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.rules.remove(id);
  }
}
