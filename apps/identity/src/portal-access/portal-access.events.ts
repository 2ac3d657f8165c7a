import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventHandlerRegistry } from '@offboarding/platform';
import { PortalAccessService } from './portal-access.service';

@Injectable()
export class PortalAccessEventHandlers implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly portalAccess: PortalAccessService,
  ) {}

  onModuleInit(): void {
    this.registry.on('com.offboarding.entitlements.organization_created.v1', (event, manager) =>
      this.portalAccess.onOrganizationCreated(manager, event.data),
    );
  }
}
