import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

function messagesOf(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}),
    ...messagesOf(error.children ?? []),
  ]);
}

/**
 * Validation for the helpdesk's own controllers only: a global pipe would also run on the TikTok
 * library's routes, whose bodies it must not touch. The message is one readable sentence, which
 * the page shows as is.
 */
export const helpdeskValidation = new ValidationPipe({
  whitelist: true,
  transform: true,
  stopAtFirstError: true,
  exceptionFactory: (errors) => new BadRequestException(messagesOf(errors).join('; ')),
});
