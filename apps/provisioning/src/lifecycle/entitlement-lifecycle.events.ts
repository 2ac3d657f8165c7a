import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventHandlerRegistry } from '@offboarding/platform';
import { EntitlementLifecycleService } from './entitlement-lifecycle.service';

/** Kafka adapter: the entitlements service's lifecycle events, each applied once through the inbox. */
@Injectable()
export class EntitlementLifecycleEventHandlers implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly lifecycle: EntitlementLifecycleService,
  ) {}

  onModuleInit(): void {
    this.registry.on('com.offboarding.entitlements.entitlement_granted.v1', (event, manager) => this.lifecycle.onGranted(manager, event.data));
    this.registry.on('com.offboarding.entitlements.entitlement_suspended.v1', (event, manager) => this.lifecycle.onSuspended(manager, event.data));
    this.registry.on('com.offboarding.entitlements.entitlement_resumed.v1', (event, manager) => this.lifecycle.onResumed(manager, event.data));
    this.registry.on('com.offboarding.entitlements.entitlement_cancelled.v1', (event, manager) => this.lifecycle.onCancelled(manager, event.data));
    // An organization's offboarding cancels all its entitlements at once: their events arrive as a run.
    this.registry.onBatch('com.offboarding.entitlements.entitlement_cancelled.v1', (events, manager) =>
      this.lifecycle.onCancelledAll(
        manager,
        events.map((event) => event.data),
      ),
    );
    this.registry.on('com.offboarding.entitlements.entitlement_reactivated.v1', (event, manager) =>
      this.lifecycle.onReactivated(manager, event.data),
    );
  }
}
