import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { OrganizationType } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import { Clock, type ConnectionShape, DomainError, ErrorCode, InvalidInputError, keysetPage, NotFoundError, type PageRequest, Role } from '@offboarding/platform';
import { hashPassword } from './password-hasher';
import { CredentialEntity, KnownOrganizationEntity, UserEntity, UserPiiEntity, UserStatus } from './user.entity';

export interface NewUser {
  email: string;
  displayName: string;
  role: Role;
  /** Required for COLLABORATOR and PARTNER_USER, absent for ADMIN. */
  organizationId: string | null;
  /** Optional: SSO-only users have no password. */
  password: string | null;
}

/** A user together with their personal data, as the API shows it. */
export type UserView = UserEntity & { email: string; displayName: string };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
export const MIN_PASSWORD_LENGTH = 12;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Staff create accounts: admins (no organization), an organization's collaborators, a partner's users. */
  async create(input: NewUser): Promise<UserView> {
    const email = normalizeEmail(input.email);
    if (!EMAIL.test(email) || email.length > 320) throw new InvalidInputError('email', 'is not an e-mail address');
    const displayName = input.displayName.trim();
    if (displayName.length === 0 || displayName.length > 200) throw new InvalidInputError('displayName', 'must be 1 to 200 characters');
    if (input.password !== null && input.password.length < MIN_PASSWORD_LENGTH) {
      throw new InvalidInputError('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (input.role === Role.ADMIN && input.organizationId !== null) throw new InvalidInputError('organizationId', 'staff admins belong to no organization');
    if (input.role !== Role.ADMIN && input.organizationId === null) throw new InvalidInputError('organizationId', `a ${input.role} belongs to an organization`);
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    return this.unitOfWork.run(async ({ manager, publish }) => {
      if (input.organizationId !== null) {
        const organization = await manager.findOneBy(KnownOrganizationEntity, { organizationId: input.organizationId });
        if (!organization) throw new NotFoundError('organization', input.organizationId);
        const partner = organization.type === OrganizationType.PARTNER;
        if (partner !== (input.role === Role.PARTNER_USER)) {
          throw new InvalidInputError('role', partner ? 'users of a partner organization are PARTNER_USER' : 'PARTNER_USER is for partner organizations only');
        }
      }
      const existing = await manager.findOneBy(UserPiiEntity, { email });
      if (existing) {
        // Staff may see who it is: a returning user is let back in with a link, not a second account.
        throw new DomainError(
          ErrorCode.CONFLICT,
          `a user with this e-mail address already exists (user ${existing.userId}); to let them sign in again, issue them a password-setup link (issuePasswordSetupLink)`,
          { field: 'email', userId: existing.userId },
        );
      }
      const user = await this.insert(manager, { email, displayName, role: input.role, organizationId: input.organizationId, passwordHash });
      if (user.organizationId !== null && user.role !== Role.ADMIN) {
        await publish('com.offboarding.identity.user_created.v1', user.organizationId, {
          organizationId: user.organizationId,
          userId: user.id,
          role: user.role,
          createdAt: user.createdAt.toISOString(),
        });
      }
      return user;
    });
  }

  async insert(
    manager: EntityManager,
    user: { email: string; displayName: string; role: Role; organizationId: string | null; passwordHash: string | null },
  ): Promise<UserView> {
    const now = this.clock.now();
    const row: UserEntity = {
      id: randomUUID(),
      organizationId: user.organizationId,
      role: user.role,
      status: UserStatus.ACTIVE,
      deactivatedAt: null,
      maskedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await manager.insert(UserEntity, row);
    await manager.insert(UserPiiEntity, { userId: row.id, email: user.email, displayName: user.displayName });
    if (user.passwordHash !== null) await manager.insert(CredentialEntity, { userId: row.id, passwordHash: user.passwordHash, createdAt: now });
    return { ...row, email: user.email, displayName: user.displayName };
  }

  async findById(id: string): Promise<UserView | null> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id });
    return user ? (await this.withPii([user]))[0] : null;
  }

  /** The user an e-mail address belongs to (masked addresses match nothing). */
  async findByEmail(manager: EntityManager, email: string): Promise<UserEntity | null> {
    const pii = await manager.findOneBy(UserPiiEntity, { email: normalizeEmail(email) });
    return pii ? manager.findOneBy(UserEntity, { id: pii.userId }) : null;
  }

  async listForOrganization(organizationId: string, page: PageRequest): Promise<ConnectionShape<UserView>> {
    const query = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').where('u.organization_id = :organizationId', { organizationId });
    const connection = await keysetPage(query, page);
    const views = await this.withPii(connection.edges.map((edge) => edge.node));
    return { ...connection, edges: connection.edges.map((edge, index) => ({ cursor: edge.cursor, node: views[index] })) };
  }

  private async withPii(users: UserEntity[]): Promise<UserView[]> {
    const pii = await this.dataSource.getRepository(UserPiiEntity).findBy({ userId: In(users.map((user) => user.id)) });
    const byId = new Map(pii.map((row) => [row.userId, row]));
    return users.map((user) => ({ ...user, email: byId.get(user.id)?.email ?? '', displayName: byId.get(user.id)?.displayName ?? '' }));
  }
}
