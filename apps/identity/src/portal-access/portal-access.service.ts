import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { Outbox } from '@offboarding/messaging';
import { Clock } from '@offboarding/platform';
import { KnownOrganizationEntity } from '../users/user.entity';
import { PortalAccessEntity } from './portal-access.entity';

@Injectable()
export class PortalAccessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** A new organization's collaborators may use the portal until offboarding restricts it. */
  async onOrganizationCreated(
    manager: EntityManager,
    event: EventPayload<'com.offboarding.entitlements.organization_created.v1'>,
  ): Promise<void> {
    if (await manager.findOneBy(PortalAccessEntity, { organizationId: event.organizationId })) return;
    const now = this.clock.now();
    // Type and vendor drive the cascade from a vendor to its partners' users.
    await manager.upsert(
      KnownOrganizationEntity,
      { organizationId: event.organizationId, type: event.type, vendorId: event.vendorId, createdAt: now },
      ['organizationId'],
    );
    await manager.insert(PortalAccessEntity, { organizationId: event.organizationId, enabled: true, changedAt: now });
    await this.outbox.add(manager, 'com.offboarding.identity.portal_access_enabled.v1', event.organizationId, {
      organizationId: event.organizationId,
      enabledAt: now.toISOString(),
    });
  }

  forOrganization(organizationId: string): Promise<PortalAccessEntity | null> {
    return this.dataSource.getRepository(PortalAccessEntity).findOneBy({ organizationId });
  }
}
