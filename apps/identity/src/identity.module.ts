import { type DynamicModule, Module } from '@nestjs/common';
import { AuditLog } from './audit/audit-log';
import { AuthResolver, OrganizationIdentityResolver, SsoConnectionsResolver, UsersResolver } from './graphql/identity.resolvers';
import type { IdentityConfig } from './keys/identity-config';
import { IDENTITY_CONFIG, RealTime } from './keys/identity-providers';
import { SecretBox } from './keys/secret-box';
import { SigningKeys } from './keys/signing-keys';
import { IdentityWiring } from './lifecycle.wiring';
import { AccountOffboardingService } from './offboarding/account-offboarding.service';
import { PasswordSetupService } from './password-setup/password-setup.service';
import { PortalAccessService } from './portal-access/portal-access.service';
import { DataLifecycleService } from './privacy/data-lifecycle.service';
import { AuthService } from './sessions/auth.service';
import { JwksController, OwnRevocationFeed, RevokedSessionsController } from './sessions/identity-http.controllers';
import { SessionsService } from './sessions/sessions.service';
import { SignInThrottle } from './sessions/sign-in-throttle';
import { SsoConnectionsService } from './sso/sso-connections.service';
import { AdminSeed } from './users/admin-seed';
import { UsersService } from './users/users.service';

/** Users, credentials, sessions, SSO connections, portal access and the offboarding of all of them. */
@Module({})
export class IdentityModule {
  static register(config: IdentityConfig, signingKeys: SigningKeys): DynamicModule {
    return {
      module: IdentityModule,
      controllers: [JwksController, RevokedSessionsController],
      providers: [
        { provide: SigningKeys, useValue: signingKeys },
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: SecretBox, useValue: config.secretBox },
        RealTime,
        AuditLog,
        PortalAccessService,
        UsersService,
        PasswordSetupService,
        SessionsService,
        OwnRevocationFeed,
        SignInThrottle,
        AuthService,
        SsoConnectionsService,
        AccountOffboardingService,
        DataLifecycleService,
        AdminSeed,
        IdentityWiring,
        AuthResolver,
        UsersResolver,
        SsoConnectionsResolver,
        OrganizationIdentityResolver,
      ],
    };
  }
}
