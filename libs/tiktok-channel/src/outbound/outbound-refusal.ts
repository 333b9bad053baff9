import type { FailureReason } from '../host/helpdesk-port';

/**
 * A send the messenger refuses before anything reaches TikTok: a rule, an attachment it cannot
 * make into something TikTok takes. Carries the reason and the sentence for the agent.
 */
export class OutboundRefusal extends Error {
  override readonly name = 'OutboundRefusal';

  constructor(
    readonly reason: FailureReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}
