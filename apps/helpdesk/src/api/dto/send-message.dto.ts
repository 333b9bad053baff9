import { IsString, Matches } from 'class-validator';

const NON_EMPTY = 'content must be a non-empty string';

export class SendMessageDto {
  @IsString({ message: NON_EMPTY })
  // Whitespace alone would reach the customer as an empty bubble.
  @Matches(/\S/, { message: NON_EMPTY })
  content: string;
}
