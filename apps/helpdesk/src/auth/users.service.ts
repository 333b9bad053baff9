import { ConflictException, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from '../database/entities/user.entity';
import { InjectHelpdeskAuthConfig, type HelpdeskAuthConfig } from './helpdesk-auth.config';
import { hashPassword, verifyPassword } from './password-hash';
import { toUserView, type UserView } from './user.view';

export interface NewAgent {
  email: string;
  name: string;
  password: string;
}

/** Compared against when the email is unknown, so a wrong email costs as long as a wrong password. */
const NOBODY_HASH = hashPassword('not anyone’s password');

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectHelpdeskAuthConfig() private readonly config: HelpdeskAuthConfig,
  ) {}

  /**
   * The configured admin exists with the configured password: created on the first start, and
   * its password reset when the configuration changed it (that is how an admin recovers access).
   */
  async onApplicationBootstrap(): Promise<void> {
    const { email, password, name } = this.config.admin;
    const normalized = normalizeEmail(email);
    // Several processes may start together on one database: the insert must not race.
    const inserted = await this.users
      .createQueryBuilder()
      .insert()
      .values({
        email: normalized,
        name: name ?? 'Admin',
        role: 'admin',
        passwordHash: await hashPassword(password),
      })
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.raw.length > 0) return;
    const existing = await this.users.findOneByOrFail({ email: normalized });
    const change: Partial<UserEntity> = {};
    if (existing.role !== 'admin') {
      change.role = 'admin';
      this.logger.warn(`${normalized} is the configured admin: its role is now admin`);
    }
    if (!(await verifyPassword(password, existing.passwordHash))) {
      change.passwordHash = await hashPassword(password);
    }
    if (Object.keys(change).length > 0) await this.users.update({ id: existing.id }, change);
  }

  /** The user these credentials name, or undefined: which of the two was wrong is not said. */
  async check(email: string, password: string): Promise<UserEntity | undefined> {
    const user = await this.users.findOneBy({ email: normalizeEmail(email) });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await NOBODY_HASH));
    return ok && user ? user : undefined;
  }

  byId(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async list(): Promise<UserView[]> {
    const users = await this.users.find({ order: { createdAt: 'ASC' } });
    return users.map(toUserView);
  }

  async createAgent(agent: NewAgent): Promise<UserView> {
    const email = normalizeEmail(agent.email);
    if (await this.users.existsBy({ email })) {
      throw new ConflictException(`There is already a user with the email ${email}`);
    }
    const saved = await this.users.save(
      this.users.create({
        email,
        name: agent.name.trim(),
        role: 'agent',
        passwordHash: await hashPassword(agent.password),
      }),
    );
    return toUserView(saved);
  }
}
