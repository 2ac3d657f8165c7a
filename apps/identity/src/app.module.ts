import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { entities } from './entities';
import { IdentityModule } from './identity.module';
import { LocalAccessTokenVerifier, SigningKeys } from './keys/signing-keys';
import { migrations } from './migrations';
import { OrganizationReference } from './organizations/organization.model';

// One key store: it signs tokens and verifies them for this subgraph, without a JWKS round trip.
const signingKeys = SigningKeys.fromEnv();

@Module({
  imports: [
    PlatformModule.forSubgraph({
      service: 'identity',
      entities,
      migrations,
      entityStubs: [OrganizationReference],
      accessTokens: new LocalAccessTokenVerifier(signingKeys),
      // Revoked sessions come from this service's own database (see OwnRevocationFeed).
      revocationFeed: 'set-by-the-service',
    }),
    IdentityModule.register(signingKeys),
  ],
})
export class AppModule {}
