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
    const existing = await this.users.findOneBy({ email: normalized });
    if (!existing) {
      await this.users.save(
        this.users.create({
          email: normalized,
          name: name ?? 'Admin',
          role: 'admin',
          passwordHash: await hashPassword(password),
        }),
      );
      return;
    }
    if (existing.role !== 'admin') {
      existing.role = 'admin';
      this.logger.warn(`${normalized} is the configured admin: its role is now admin`);
    }
    if (!(await verifyPassword(password, existing.passwordHash))) {
      existing.passwordHash = await hashPassword(password);
    }
    await this.users.save(existing);
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
