import { Injectable } from '@nestjs/common';
import { MoreThan, type EntityManager, type EntityTarget } from 'typeorm';
import type { EventPayload } from '@offboarding/contracts';
import { Outbox } from '@offboarding/messaging';
import { Clock, maskNullable, MaskingKeys } from '@offboarding/platform';
import { CampaignEntity, PartnerRelationshipEntity } from '../affiliates/affiliate.entities';
import { AffiliatesService } from '../affiliates/affiliates.service';
import { EnvironmentEntity } from '../environments/environment.entity';

interface ContactRow {
  id: string;
  organizationId: string;
  contactName: string | null;
  contactEmail: string | null;
}

/**
 * The personal data this service holds: contact names and e-mails on environments, campaigns and
 * partner relationships. Everything else here is ids, statuses, product names and site URLs.
 */
const PII_HOLDERS: readonly EntityTarget<ContactRow>[] = [EnvironmentEntity, CampaignEntity, PartnerRelationshipEntity];

const PAGE = 500;

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
    let maskedRecords = 0;
    for (const holder of PII_HOLDERS) {
      let afterId = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows = await manager.find(holder, {
          select: { id: true, organizationId: true, contactName: true, contactEmail: true },
          where: { organizationId: event.organizationId, id: MoreThan(afterId) },
          order: { id: 'ASC' },
          take: PAGE,
        });
        for (const row of rows) {
          const contactName = maskNullable(key, row.contactName);
          const contactEmail = maskNullable(key, row.contactEmail);
          if (contactName === row.contactName && contactEmail === row.contactEmail) continue;
          await manager.update(holder, { id: row.id }, { contactName, contactEmail });
          maskedRecords += 1;
        }
        if (rows.length < PAGE) break;
        afterId = rows[rows.length - 1].id;
      }
    }
    const now = this.clock.now();
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
