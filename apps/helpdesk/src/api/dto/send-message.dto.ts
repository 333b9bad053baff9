import { IsOptional, IsString, Matches } from 'class-validator';

export const NON_EMPTY = 'content must be a non-empty string';

/** A JSON reply: text only. */
export class SendMessageDto {
  @IsString({ message: NON_EMPTY })
  // Whitespace alone would reach the customer as an empty bubble.
  @Matches(/\S/, { message: NON_EMPTY })
  content: string;
}

/** A multipart reply: `content` may be empty when files come with it (checked by the controller). */
export class SendMessageFormDto {
  @IsOptional()
  @IsString({ message: NON_EMPTY })
  content?: string;
}
