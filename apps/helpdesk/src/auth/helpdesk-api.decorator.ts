import { applyDecorators, UseGuards } from '@nestjs/common';
import { RequestOriginGuard } from './request-origin.guard';
import { SignedInGuard } from './signed-in.guard';

/** Every helpdesk API controller: writes from the helpdesk's own origin only, and signed in. */
export const HelpdeskApi = () => applyDecorators(UseGuards(RequestOriginGuard, SignedInGuard));
