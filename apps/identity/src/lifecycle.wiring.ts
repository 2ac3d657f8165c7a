import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { joinTransaction, Outbox } from '@offboarding/messaging';
import { counted, EventHandlerRegistry, JobScheduler, LOGGER, SERVICE_CONFIG, type ServiceConfig } from '@offboarding/platform';
import type { IdentityConfig } from './keys/identity-config';
import { IDENTITY_CONFIG } from './keys/identity-providers';
import { SigningKeys } from './keys/signing-keys';
import { AccountOffboardingService } from './offboarding/account-offboarding.service';
import { PortalAccessService } from './portal-access/portal-access.service';
import { DataLifecycleService } from './privacy/data-lifecycle.service';
import { SsoConnectionsService } from './sso/sso-connections.service';
import { AdminSeed } from './users/admin-seed';
import { KnownOrganizationEntity } from './users/user.entity';

const ARCHIVE_ACTOR = 'system:organization-archived';
const REACTIVATION_ACTOR = 'system:organization-reactivated';
const TIMELINE_ACTOR = 'system:offboarding-timeline';

/** The consumed events, scheduled jobs and start-up work of the identity service, in one place. */
@Injectable()
export class IdentityWiring implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly scheduler: JobScheduler,
    private readonly outbox: Outbox,
    private readonly portalAccess: PortalAccessService,
    private readonly offboarding: AccountOffboardingService,
    private readonly dataLifecycle: DataLifecycleService,
    private readonly ssoConnections: SsoConnectionsService,
    private readonly keys: SigningKeys,
    private readonly adminSeed: AdminSeed,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_CONFIG) private readonly service: ServiceConfig,
  ) {}

  onModuleInit(): void {
    const tx = (manager: EntityManager) => joinTransaction(manager, this.outbox);
    this.registry.on('com.offboarding.entitlements.organization_created.v1', (event, manager) =>
      this.portalAccess.onOrganizationCreated(manager, event.data),
    );
    this.registry.on('com.offboarding.entitlements.organization_archived.v1', async (event, manager) => {
      await this.offboarding.disablePortalAccess(tx(manager), event.data.organizationId, null, ARCHIVE_ACTOR);
    });
    const reactivate = async (manager: EntityManager, organizationId: string) => {
      // An organization identity never saw has nothing to bring back.
      if (!(await manager.findOneBy(KnownOrganizationEntity, { organizationId }))) return;
      await this.offboarding.enablePortalAccess(tx(manager), organizationId, REACTIVATION_ACTOR);
      await this.offboarding.reactivateAccounts(tx(manager), organizationId, REACTIVATION_ACTOR);
    };
    this.registry.on('com.offboarding.entitlements.organization_unarchived.v1', (event, manager) => reactivate(manager, event.data.organizationId));
    this.registry.on('com.offboarding.entitlements.entitlement_reactivated.v1', (event, manager) => reactivate(manager, event.data.organizationId));
    this.registry.on('com.offboarding.retention.sso_shutdown_requested.v1', async (event, manager) => {
      await this.offboarding.shutDownSso(tx(manager), event.data.organizationId, event.data.requestId, TIMELINE_ACTOR);
    });
    this.registry.on('com.offboarding.retention.portal_hide_requested.v1', async (event, manager) => {
      await this.offboarding.disablePortalAccess(tx(manager), event.data.organizationId, event.data.requestId, TIMELINE_ACTOR);
    });
    this.registry.on('com.offboarding.retention.pii_masking_requested.v1', (event, manager) => this.dataLifecycle.onMaskingRequested(manager, event.data));
    this.registry.on('com.offboarding.retention.organization_purge_requested.v1', (event, manager) => this.dataLifecycle.onPurgeRequested(manager, event.data));

    this.scheduler.register({
      name: 'organization-purge',
      schedule: '*/10 * * * *',
      description: 'Works off accepted purge requests in bounded batches and confirms them.',
      run: async () => counted({ purgesCompleted: await this.dataLifecycle.purgePending() }),
    });
    this.scheduler.register({
      name: 'reencrypt-sso-secrets',
      schedule: '30 3 * * *',
      description: 'Re-encrypts SSO connection secrets under the first ENCRYPTION_KEYS key (run after adding a new key).',
      run: async () => counted({ ssoSecretsReencrypted: await this.ssoConnections.reencryptAll() }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.service.run.mode === 'schema-only') return;
    // A bad JWT_SIGNING_KEYS (or none in production) stops the service here, not at the first login.
    await this.keys.ensureLoaded();
    if (this.service.run.mode === 'job') return;
    await this.adminSeed.seed(this.config, this.logger);
  }
}
