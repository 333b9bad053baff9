import {
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from '../database/entities/user.entity';
import { InjectHelpdeskAuthConfig, type HelpdeskAuthConfig } from './helpdesk-auth.config';
import { hashPassword, verifyPassword } from './password-hash';
import { toUserView, type UserView } from './user.view';

export interface UserChange {
  name?: string;
  password?: string;
}

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

  async updateUser(id: string, change: UserChange): Promise<UserView> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(`No user ${id}`);
    const update: Partial<UserEntity> = {};
    if (change.name !== undefined) update.name = change.name.trim();
    if (change.password !== undefined) {
      if (user.role === 'admin') {
        // It would come back at the next start: the configured password wins (see onApplicationBootstrap).
        throw new ConflictException(
          "The admin's password is the configured one (HELPDESK_ADMIN_PASSWORD or .data/demo-secrets.json): change it there and restart",
        );
      }
      update.passwordHash = await hashPassword(change.password);
    }
    if (Object.keys(update).length > 0) await this.users.update({ id }, update);
    // A new password signs the agent out everywhere: whoever knew the old one loses their sessions too.
    if (update.passwordHash)
      await this.users.manager.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
    return toUserView({ ...user, ...update });
  }

  /** Sessions go with the row (ON DELETE CASCADE); messages keep the author's name. */
  async removeAgent(id: string): Promise<void> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException(`No user ${id}`);
    if (user.role === 'admin') throw new ConflictException('The admin cannot be removed');
    await this.users.delete({ id, role: 'agent' });
  }
}
