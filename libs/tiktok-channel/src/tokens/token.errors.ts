/**
 * The account cannot be used until a person reconnects it (grant revoked, refresh token expired,
 * account disconnected). Callers turn this into a `reauthorization_required` failure reason.
 */
export class TiktokReauthorizationRequiredError extends Error {
  override readonly name = 'TiktokReauthorizationRequiredError';

  constructor(
    readonly accountId: string,
    readonly reason: string,
  ) {
    super(`TikTok account ${accountId} needs reauthorization: ${reason}`);
  }
}
