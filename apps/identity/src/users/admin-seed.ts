import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { UnitOfWork } from '@offboarding/messaging';
import { Role } from '@offboarding/platform';
import { type IdentityConfig, SEEDED_ADMIN_EMAIL } from '../keys/identity-config';
import { hashPassword } from './password-hasher';
import { UserPiiEntity } from './user.entity';
import { UsersService } from './users.service';

/**
 * Outside production a staff admin `admin@offboarding.local` (password ADMIN_PASSWORD, default
 * `admin`) exists from the first start, so the stack can be used at once. Never in production.
 */
@Injectable()
export class AdminSeed {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly users: UsersService,
  ) {}

  async seed(config: IdentityConfig, logger: Logger): Promise<boolean> {
    if (config.nodeEnv === 'production') {
      if (config.adminPasswordGiven) logger.warn('ADMIN_PASSWORD is ignored in production: no admin is seeded; create staff with createUser');
      return false;
    }
    const passwordHash = await hashPassword(config.adminPassword);
    return this.unitOfWork.run(async ({ manager }) => {
      if (await manager.findOneBy(UserPiiEntity, { email: SEEDED_ADMIN_EMAIL })) return false;
      await this.users.insert(manager, { email: SEEDED_ADMIN_EMAIL, displayName: 'Development admin', role: Role.ADMIN, organizationId: null, passwordHash });
      logger.info({ login: SEEDED_ADMIN_EMAIL }, 'seeded the development staff admin');
      return true;
    });
  }
}
