import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { maskOrganizationPii, type MaskingTarget } from '@offboarding/data-lifecycle';
import { Outbox } from '@offboarding/messaging';
import { Clock, MaskingKeys } from '@offboarding/platform';
import { CampaignEntity, PartnerRelationshipEntity } from '../affiliates/affiliate.entities';
import { AffiliatesService } from '../affiliates/affiliates.service';
import { EnvironmentEntity } from '../environments/environment.entity';

/**
 * The personal data this service holds (`@Pii()`): contact names and e-mails on environments,
 * campaigns and partner relationships. Everything else here is ids, statuses, product names and site URLs.
 */
export const MASKING_PLAN: readonly MaskingTarget[] = [{ entity: EnvironmentEntity }, { entity: CampaignEntity }, { entity: PartnerRelationshipEntity }];

@Injectable()
export class MaskingService {
  constructor(
    private readonly keys: MaskingKeys,
    private readonly outbox: Outbox,
    private readonly affiliates: AffiliatesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Replaces the organization's contact details with keyed one-way hashes, invalidates the
   * campaigns and tracking links still live, and confirms with `pii_masked`. Already masked values stay as they are, so a repeated request masks nothing new.
   * The key is fetched inside the inbox transaction: a failure rolls everything back and the
   * consumer retries, then dead-letters the request for a replay.
   */
  async onMaskingRequested(manager: EntityManager, event: EventPayload<'com.offboarding.retention.pii_masking_requested.v1'>): Promise<number> {
    const key = await this.keys.resolve(event.maskingKeyRef);
    const now = this.clock.now();
    const maskedRecords = await maskOrganizationPii(manager, MASKING_PLAN, event.organizationId, key, now);
    // "PII masked, campaigns and links invalidated": nothing of the organization's affiliate
    // programme outlives its masking, whatever a cancellation left behind.
    await this.affiliates.invalidateForMasking(manager, event.organizationId, now);
    await this.outbox.add(manager, 'com.offboarding.provisioning.pii_masked.v1', event.organizationId, {
      organizationId: event.organizationId,
      requestId: event.requestId,
      maskedRecords,
      maskedAt: now.toISOString(),
    });
    return maskedRecords;
  }
}
