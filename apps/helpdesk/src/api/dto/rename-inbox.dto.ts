import { IsString, Matches, MaxLength } from 'class-validator';

export class RenameInboxDto {
  @IsString({ message: 'name must be a non-empty string' })
  @Matches(/\S/, { message: 'name must be a non-empty string' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name: string;
}
