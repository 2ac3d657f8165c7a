import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { eventCatalog, type EventType } from '@offboarding/contracts';
import type { EventEnvelope } from '@offboarding/messaging';
import { EventHandlerRegistry } from '@offboarding/platform';
import { AuditTrailService } from './audit-trail.service';

/** Every other service's events land in the organization-wide audit trail. */
@Injectable()
export class AuditTrailEventHandlers implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly auditTrail: AuditTrailService,
  ) {}

  onModuleInit(): void {
    const audited = (Object.keys(eventCatalog) as EventType[]).filter((type) => eventCatalog[type].producer !== 'retention');
    for (const type of audited) {
      this.registry.on(type, (event: EventEnvelope, manager: EntityManager) => this.auditTrail.record(manager, event));
    }
  }
}
