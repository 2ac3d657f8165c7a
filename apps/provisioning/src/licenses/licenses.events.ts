import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventHandlerRegistry } from '@offboarding/platform';
import { LicensesService } from './licenses.service';

/** Kafka adapter: entitlement events drive licences, each applied once through the inbox. */
@Injectable()
export class LicensesEventHandlers implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly licenses: LicensesService,
  ) {}

  onModuleInit(): void {
    this.registry.on('com.offboarding.entitlements.entitlement_granted.v1', (event, manager) =>
      this.licenses.onEntitlementGranted(manager, event.data),
    );
    this.registry.on('com.offboarding.entitlements.entitlement_cancelled.v1', (event, manager) =>
      this.licenses.onEntitlementCancelled(manager, event.data),
    );
  }
}
