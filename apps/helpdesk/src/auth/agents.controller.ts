import { Body, Controller, Get, Post, UsePipes } from '@nestjs/common';
import { helpdeskValidation } from '../api/validation';
import { CreateAgentDto } from './auth.dto';
import { HelpdeskApi } from './helpdesk-api.decorator';
import { AdminOnly } from './signed-in.guard';
import type { UserView } from './user.view';
import { UsersService } from './users.service';

/** The admin adds agents; every user may see who is on the team. */
@Controller('api/agents')
@HelpdeskApi()
@UsePipes(helpdeskValidation)
export class AgentsController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post()
  @AdminOnly()
  create(@Body() body: CreateAgentDto): Promise<UserView> {
    return this.users.createAgent(body);
  }
}
