import { Module } from '@nestjs/common';
import { PlatformModule } from '@offboarding/platform';
import { entities } from './entities';
import { IdentityModule } from './identity.module';
import { loadIdentityConfig } from './keys/identity-config';
import { LocalAccessTokenVerifier, SigningKeys } from './keys/signing-keys';
import { migrations } from './migrations';
import { OrganizationReference } from './organizations/organization.model';

// The identity settings, read once; one key store: it signs tokens and verifies them for this
// subgraph, without a JWKS round trip.
const config = loadIdentityConfig();
const signingKeys = new SigningKeys(config.signingKeys);

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
    IdentityModule.register(config, signingKeys),
  ],
})
export class AppModule {}
