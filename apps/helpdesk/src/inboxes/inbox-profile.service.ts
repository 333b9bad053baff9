import {
  BadGatewayException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  TIKTOK_API_CLIENT,
  TiktokAccountsService,
  TiktokApiClient,
  TiktokApiError,
  REFRESH_REFUSAL_CODES,
  TiktokReauthorizationRequiredError,
  TiktokRefreshFailedError,
  TiktokTokenService,
} from 'tiktok-channel';
import { Repository } from 'typeorm';
import { InboxEntity } from '../database/entities/inbox.entity';
import type { InboxView } from './inbox.view';
import { InboxesService } from './inboxes.service';

/**
 * Fetches the business profile (display name, avatar) from TikTok again. TikTok's avatar links
 * expire, so the copy taken when the account was connected stops loading after a while.
 */
@Injectable()
export class InboxProfileService {
  constructor(
    @InjectRepository(InboxEntity) private readonly inboxes: Repository<InboxEntity>,
    private readonly inboxViews: InboxesService,
    private readonly accounts: TiktokAccountsService,
    private readonly tokens: TiktokTokenService,
    @Inject(TIKTOK_API_CLIENT) private readonly api: TiktokApiClient,
  ) {}

  async refresh(inboxId: string): Promise<InboxView> {
    if (!(await this.inboxes.existsBy({ id: inboxId }))) {
      throw new NotFoundException(`Inbox ${inboxId} does not exist`);
    }
    const account = await this.accounts.findByInboxId(inboxId);
    if (!account || account.status !== 'active') {
      throw new ConflictException(
        `The inbox's TikTok account is ${account ? account.status.replace('_', ' ') : 'not connected'}: reconnect it before refreshing its profile`,
      );
    }
    try {
      const profile = await this.tokens.withAccessToken(account.accountId, (token) =>
        this.api.getBusinessProfile(token, account.businessId),
      );
      await this.inboxes.update(
        { id: inboxId },
        {
          profileDisplayName: profile.displayName || null,
          profileImageUrl: profile.profileImageUrl ?? null,
          profileRefreshedAt: new Date(),
        },
      );
    } catch (error) {
      if (error instanceof TiktokReauthorizationRequiredError) {
        throw new ConflictException(
          `TikTok no longer accepts this inbox's authorization: reconnect it as @${account.username}`,
        );
      }
      if (
        error instanceof TiktokRefreshFailedError &&
        error.code !== undefined &&
        REFRESH_REFUSAL_CODES.has(error.code)
      ) {
        // Refused, not unreachable: the grant was revoked at TikTok (the library flags the
        // account once the refusal outlasts its grace period).
        throw new ConflictException(
          `TikTok refused this inbox's authorization (it was revoked or has expired): reconnect it as @${account.username}`,
        );
      }
      if (error instanceof TiktokRefreshFailedError) {
        throw new BadGatewayException(
          `TikTok could not be reached to renew this inbox's authorization; try again${error.retryAt ? ` after ${error.retryAt.toLocaleTimeString('en-GB')}` : ' later'}`,
        );
      }
      if (error instanceof TiktokApiError) {
        throw new BadGatewayException(`TikTok did not give the profile: ${error.message}`);
      }
      throw error;
    }
    return this.inboxViews.get(inboxId);
  }
}
