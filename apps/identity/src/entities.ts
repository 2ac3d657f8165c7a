import { PurgeRequestEntity } from '@offboarding/data-lifecycle';
import { AuditLogEntity } from '@offboarding/platform';
import { PasswordSetupEntity } from './password-setup/password-setup.entity';
import { PortalAccessEntity } from './portal-access/portal-access.entity';
import { RefreshTokenEntity, SessionEntity } from './sessions/session.entity';
import { SignInAttemptEntity, SignInThrottleEntity } from './sessions/sign-in-throttle.entity';
import { SsoConnectionEntity } from './sso/sso-connection.entity';
import { CredentialEntity, KnownOrganizationEntity, UserEntity, UserPiiEntity } from './users/user.entity';

export const entities = [
  PortalAccessEntity,
  KnownOrganizationEntity,
  UserEntity,
  UserPiiEntity,
  CredentialEntity,
  PasswordSetupEntity,
  SessionEntity,
  RefreshTokenEntity,
  SignInThrottleEntity,
  SignInAttemptEntity,
  SsoConnectionEntity,
  AuditLogEntity,
  PurgeRequestEntity,
];
