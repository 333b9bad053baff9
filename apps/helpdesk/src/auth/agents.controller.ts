import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  UsePipes,
} from '@nestjs/common';
import { helpdeskValidation } from '../api/validation';
import { CreateAgentDto, UpdateAgentDto } from './auth.dto';
import { HelpdeskApi } from './helpdesk-api.decorator';
import { AdminOnly } from './signed-in.guard';
import type { UserView } from './user.view';
import { UsersService } from './users.service';

/** The admin adds, renames and removes agents; every user may see who is on the team. */
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

  /** A new name (shown beside later replies), or a new password for an agent. */
  @Patch(':id')
  @AdminOnly()
  update(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: UpdateAgentDto,
  ): Promise<UserView> {
    return this.users.updateUser(id, body);
  }

  /**
   * Removes an agent: their sessions end at once and their credentials stop working; replies they
   * wrote keep their name. The admin cannot be removed.
   */
  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<void> {
    await this.users.removeAgent(id);
  }
}
