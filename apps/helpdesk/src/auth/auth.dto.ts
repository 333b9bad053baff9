import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class SignInDto {
  @IsString({ message: 'email must be a string' })
  @MaxLength(320, { message: 'email is too long' })
  email: string;

  @IsString({ message: 'password must be a string' })
  @MaxLength(1024, { message: 'password is too long' })
  password: string;
}

export class CreateAgentDto {
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @IsString({ message: 'name must be a non-empty string' })
  @Matches(/\S/, { message: 'name must be a non-empty string' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name: string;

  @IsString({ message: 'password must be a string' })
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(1024, { message: 'password is too long' })
  password: string;
}

/** What the admin may change about a user: the name shown beside replies, an agent's password. */
export class UpdateAgentDto {
  @IsOptional()
  @IsString({ message: 'name must be a non-empty string' })
  @Matches(/\S/, { message: 'name must be a non-empty string' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name?: string;

  @IsOptional()
  @IsString({ message: 'password must be a string' })
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(1024, { message: 'password is too long' })
  password?: string;
}
