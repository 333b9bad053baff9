import { IsOptional, IsUUID } from 'class-validator';

export class ListConversationsQuery {
  @IsOptional()
  @IsUUID('all', { message: 'inboxId must be a UUID' })
  inboxId?: string;
}
