import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventHandlerRegistry } from '@offboarding/platform';
import { MaskingService } from './masking.service';
import { PurgeService } from './purge.service';

/** Kafka adapter: the retention service's masking and purge requests. */
@Injectable()
export class PrivacyEventHandlers implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly masking: MaskingService,
    private readonly purge: PurgeService,
  ) {}

  onModuleInit(): void {
    this.registry.on('com.offboarding.retention.pii_masking_requested.v1', async (event, manager) => {
      await this.masking.onMaskingRequested(manager, event.data);
    });
    // The purge starts once the inbox transaction has committed.
    this.registry.on('com.offboarding.retention.organization_purge_requested.v1', async (event, manager) => {
      await this.purge.onPurgeRequested(manager, event.data);
    });
  }
}
