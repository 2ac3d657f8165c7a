import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { DEFAULT_CANCELLATION_POLICY, EntitlementStatus, type EventPayload, OrganizationStatus, OrganizationType } from '@offboarding/contracts';
import { discardOutboxRows, flushOutboxRows, joinTransaction, Outbox, type Transaction, UnitOfWork } from '@offboarding/messaging';
import {
  LOGGER,
  addDays,
  Clock,
  DomainError,
  ErrorCode,
  InvalidInputError,
  NotFoundError,
  type ConnectionShape,
  keysetPage,
  type PageRequest,
  withArticle,
} from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { EntitlementEntity } from '../entitlements/entitlement.entity';
import { OffboardingCaseEntity, OffboardingCaseStatus } from '../offboarding/offboarding-case.entity';
import { CancellationPolicyEntity } from '../policies/cancellation-policy.entity';
import { isUuid } from '../validation';
import { ContactEntity } from './contact.entity';
import { OrganizationEntity } from './organization.entity';
import { OrganizationAction, nextOrganizationStatus } from './organization-status';

export interface ContactInput {
  name: string;
  email: string;
  phone?: string | null;
  address?: string | null;
  role?: string | null;
}

export interface CreateOrganizationCommand {
  name: string;
  taxId?: string | null;
  type: OrganizationType;
  vendorId?: string | null;
  contacts?: ContactInput[] | null;
  actor: string;
}

export interface OrganizationListFilter {
  includeArchived: boolean;
  type?: OrganizationType | null;
}

const TAX_ID = /^[A-Za-z0-9][A-Za-z0-9.\- ]{0,62}[A-Za-z0-9]$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
const MAX_CONTACTS = 50;
const OPEN_CASE = [OffboardingCaseStatus.SCHEDULED, OffboardingCaseStatus.ENTITLEMENTS_CANCELLED];

/** Actor of the archive that follows a vendor's completed offboarding. */
export const COMPLETION_ACTOR = 'system:offboarding-completed';

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly auditLog: AuditLog,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(command: CreateOrganizationCommand): Promise<OrganizationEntity> {
    const name = command.name.trim();
    if (name.length < 1 || name.length > 200) throw new InvalidInputError('name', 'must be 1 to 200 characters');
    const taxId = command.taxId?.trim() || null;
    if (taxId !== null && !TAX_ID.test(taxId)) {
      throw new InvalidInputError('taxId', 'must be 2 to 64 letters, digits, dots, dashes or spaces');
    }
    const vendorId = command.vendorId ?? null;
    if (command.type === OrganizationType.PARTNER && vendorId === null) {
      throw new InvalidInputError('vendorId', 'is required for a PARTNER organization');
    }
    if (command.type !== OrganizationType.PARTNER && vendorId !== null) {
      throw new InvalidInputError('vendorId', 'is only allowed for a PARTNER organization');
    }
    const contacts = command.contacts ?? [];
    if (contacts.length > MAX_CONTACTS) throw new InvalidInputError('contacts', `at most ${MAX_CONTACTS}`);
    const validContacts = contacts.map((contact, index) => validContact(contact, `contacts[${index}]`));

    return this.unitOfWork.run(async (tx) => {
      const { manager, publish } = tx;
      if (vendorId !== null) await this.requireVendor(manager, vendorId);
      const now = this.clock.now();
      const organization = manager.create(OrganizationEntity, {
        id: randomUUID(),
        name,
        taxId,
        type: command.type,
        status: OrganizationStatus.ACTIVE,
        vendorId,
        cancelledAt: null,
        archivedAt: null,
        purgedAt: null,
        piiMaskedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(OrganizationEntity, organization);
      await publish('com.offboarding.entitlements.organization_created.v1', organization.id, {
        organizationId: organization.id,
        type: organization.type,
        vendorId,
        createdAt: now.toISOString(),
      });
      for (const contact of validContacts) await this.insertContact(tx, organization.id, contact, command.actor, now);
      await this.auditLog.record(tx, {
        organizationId: organization.id,
        actor: command.actor,
        action: 'organization.create',
        subjectType: 'organization',
        subjectId: organization.id,
        beforeStatus: null,
        afterStatus: organization.status,
      });
      return organization;
    });
  }

  async addContact(organizationId: string, input: ContactInput, actor: string): Promise<ContactEntity> {
    const contact = validContact(input, 'contact');
    return this.unitOfWork.run(async (tx) => {
      const organization = await this.lockById(organizationId, tx.manager);
      this.requireNotArchived(organization);
      if (organization.piiMaskedAt !== null) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `organization ${organization.id} was masked: no new personal data`, {
          organizationId,
        });
      }
      const row = await this.insertContact(tx, organization.id, contact, actor, this.clock.now());
      await this.auditLog.record(tx, {
        organizationId: organization.id,
        actor,
        action: 'contact.add',
        subjectType: 'contact',
        subjectId: row.id,
      });
      return row;
    });
  }

  listContacts(organizationId: string, page: PageRequest): Promise<ConnectionShape<ContactEntity>> {
    const query = this.dataSource
      .getRepository(ContactEntity)
      .createQueryBuilder('c')
      .where('c.organization_id = :organizationId', { organizationId });
    return keysetPage(query, page);
  }

  /**
   * Archives an organization whose entitlements are all cancelled: hidden from default lists,
   * no new quotes or orders, collaborators lose the portal (identity reacts to the event). A
   * vendor being offboarded is archived with the partners offboarded with it.
   */
  async archive(id: string, actor: string): Promise<OrganizationEntity> {
    return this.unitOfWork.run(async (tx) => this.archiveLocked(tx, await this.lockById(id, tx.manager), actor));
  }

  private async archiveLocked(tx: Transaction, organization: OrganizationEntity, actor: string): Promise<OrganizationEntity> {
    const partners = await this.partnersOffboardedWith(tx.manager, organization);
    for (const candidate of [organization, ...partners]) {
      const open = await tx.manager.find(EntitlementEntity, {
        where: { organizationId: candidate.id, status: In([EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED]) },
        order: { createdAt: 'ASC' },
      });
      if (open.length > 0) {
        const list = open.map((entitlement) => `${entitlement.id} (${entitlement.class} ${entitlement.product}, ${entitlement.status})`);
        const whose = candidate === organization ? `organization ${organization.id}` : `partner ${candidate.id} of vendor ${organization.id}`;
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `${whose} still has ${open.length} entitlement(s) not cancelled: ${list.join(', ')}`, {
          organizationId: candidate.id,
          openEntitlementIds: open.map((entitlement) => entitlement.id),
        });
      }
    }
    const archived = await this.archiveOne(tx, organization, actor);
    for (const partner of partners) await this.archiveOne(tx, partner, actor);
    return archived;
  }

  private async archiveOne(tx: Transaction, organization: OrganizationEntity, actor: string): Promise<OrganizationEntity> {
    const now = this.clock.now();
    return this.changeStatus(tx, organization, OrganizationAction.archive, actor, { archivedAt: now }, async () => {
      await tx.publish('com.offboarding.entitlements.organization_archived.v1', organization.id, {
        organizationId: organization.id,
        archivedAt: now.toISOString(),
        archivedBy: actor,
      });
    });
  }

  /** The partners following a vendor's open offboarding that are not archived yet, locked in id order. */
  private async partnersOffboardedWith(manager: EntityManager, organization: OrganizationEntity): Promise<OrganizationEntity[]> {
    if (organization.type !== OrganizationType.VENDOR) return [];
    const vendorCase = await manager.findOneBy(OffboardingCaseEntity, { organizationId: organization.id, status: In(OPEN_CASE) });
    if (!vendorCase) return [];
    const partnerCases = await manager.findBy(OffboardingCaseEntity, { vendorCaseId: vendorCase.id, status: In(OPEN_CASE) });
    if (partnerCases.length === 0) return [];
    return manager.find(OrganizationEntity, {
      where: { id: In(partnerCases.map((partnerCase) => partnerCase.organizationId)), status: OrganizationStatus.OFFBOARDING },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * A vendor's offboarding completed (every milestone up to the final confirmation, its partners'
   * included): it is archived with its partners instead of staying OFFBOARDING for good. Runs in
   * the inbox transaction; a vendor that cannot be archived (an entitlement granted since) stays
   * as it is, and the warning says why.
   */
  async onOffboardingCompleted(manager: EntityManager, data: EventPayload<'com.offboarding.retention.offboarding_completed.v1'>): Promise<void> {
    if (data.organizationType !== OrganizationType.VENDOR || !isUuid(data.organizationId)) return;
    const organization = await manager.findOne(OrganizationEntity, { where: { id: data.organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!organization || organization.status !== OrganizationStatus.OFFBOARDING) return;
    const tx = joinTransaction(manager, this.outbox);
    try {
      await flushOutboxRows(manager);
      await manager.query('SAVEPOINT archive_on_completion');
      await this.archiveLocked(tx, organization, COMPLETION_ACTOR);
      await manager.query('RELEASE SAVEPOINT archive_on_completion');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await manager.query('ROLLBACK TO SAVEPOINT archive_on_completion');
      discardOutboxRows(manager);
      this.logger.warn({ organizationId: organization.id, reason: error.message }, 'offboarding completed but the vendor could not be archived');
    }
  }

  /** Unarchives within the reactivation window of its most recent cancellation. */
  async unarchive(id: string, actor: string): Promise<OrganizationEntity> {
    return this.unitOfWork.run(async (tx) => {
      const organization = await this.lockById(id, tx.manager);
      nextOrganizationStatus(organization.status, OrganizationAction.unarchive);
      const now = this.clock.now();
      const until = await this.reactivationWindowEnd(tx.manager, organization);
      if (organization.piiMaskedAt !== null || until === null || now.getTime() > until.getTime()) {
        throw new DomainError(
          ErrorCode.REACTIVATION_WINDOW_CLOSED,
          organization.piiMaskedAt !== null
            ? `organization ${organization.id} cannot be unarchived: its personal data was masked`
            : `organization ${organization.id} cannot be unarchived: the reactivation window ${until ? `closed at ${until.toISOString()}` : 'does not exist'}`,
          { organizationId: organization.id, reactivatableUntil: until?.toISOString() ?? null },
        );
      }
      return this.changeStatus(tx, organization, OrganizationAction.unarchive, actor, { archivedAt: null }, async () => {
        await tx.publish('com.offboarding.entitlements.organization_unarchived.v1', organization.id, {
          organizationId: organization.id,
          unarchivedAt: now.toISOString(),
          unarchivedBy: actor,
        });
      });
    });
  }

  /**
   * The end of the window in which the organization can come back: the latest reactivation
   * deadline among its cancelled entitlements, or (with none) its archive date plus the
   * reactivation window of the policy in force.
   */
  private async reactivationWindowEnd(manager: EntityManager, organization: OrganizationEntity): Promise<Date | null> {
    const [row] = await manager.query<{ until: Date | null; any: boolean }[]>(
      `SELECT max(reactivatable_until) AS until, count(*) > 0 AS any FROM "${schemaName(manager)}".entitlements WHERE organization_id = $1`,
      [organization.id],
    );
    if (row?.any) return row.until;
    if (organization.archivedAt === null) return null;
    const policy =
      (await manager.findOneBy(CancellationPolicyEntity, { organizationId: organization.id })) ??
      (await manager.findOneBy(CancellationPolicyEntity, { organizationId: IsNull() }));
    const days = policy?.reactivationWindowDays ?? DEFAULT_CANCELLATION_POLICY.reactivationWindowDays;
    return policy?.allowReactivation === false ? null : addDays(organization.archivedAt, days);
  }

  private async changeStatus(
    tx: Transaction,
    organization: OrganizationEntity,
    action: OrganizationAction,
    actor: string,
    changes: Partial<OrganizationEntity>,
    publish: () => Promise<void>,
  ): Promise<OrganizationEntity> {
    const before = organization.status;
    const status = nextOrganizationStatus(organization.status, action);
    Object.assign(organization, changes, { status, updatedAt: this.clock.now() });
    await tx.manager.save(OrganizationEntity, organization);
    await publish();
    await this.auditLog.record(tx, {
      organizationId: organization.id,
      actor,
      action: `organization.${action}`,
      subjectType: 'organization',
      subjectId: organization.id,
      beforeStatus: before,
      afterStatus: status,
    });
    return organization;
  }

  /** Orders and quotes are refused for an archived (or purged) organization. */
  requireNotArchived(organization: OrganizationEntity): void {
    if (organization.status === OrganizationStatus.ARCHIVED || organization.status === OrganizationStatus.PURGED) {
      throw new DomainError(ErrorCode.ORGANIZATION_ARCHIVED, `organization ${organization.id} is ${organization.status}`, {
        organizationId: organization.id,
        organizationStatus: organization.status,
      });
    }
  }

  private async insertContact(tx: Transaction, organizationId: string, contact: Required<ContactInput>, actor: string, now: Date): Promise<ContactEntity> {
    const row: ContactEntity = {
      id: randomUUID(),
      organizationId,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      address: contact.address,
      role: contact.role,
      maskedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await tx.manager.insert(ContactEntity, row);
    await tx.publish('com.offboarding.entitlements.contact_added.v1', organizationId, { organizationId, contactId: row.id, addedBy: actor, addedAt: now.toISOString() });
    return row;
  }

  async findById(id: string): Promise<OrganizationEntity | null> {
    if (!isUuid(id)) return null;
    return this.dataSource.getRepository(OrganizationEntity).findOneBy({ id });
  }

  async getById(id: string, manager: EntityManager = this.dataSource.manager): Promise<OrganizationEntity> {
    const organization = isUuid(id) ? await manager.findOneBy(OrganizationEntity, { id }) : null;
    if (!organization) throw new NotFoundError('organization', id);
    return organization;
  }

  async listPartners(vendorId: string, page: PageRequest): Promise<ConnectionShape<OrganizationEntity>> {
    const query = this.dataSource
      .getRepository(OrganizationEntity)
      .createQueryBuilder('o')
      .where('o.vendor_id = :vendorId', { vendorId });
    return keysetPage(query, page);
  }

  async list(filter: OrganizationListFilter, page: PageRequest): Promise<ConnectionShape<OrganizationEntity>> {
    const query = this.dataSource.getRepository(OrganizationEntity).createQueryBuilder('o');
    if (!filter.includeArchived) query.andWhere('o.status <> :archived', { archived: OrganizationStatus.ARCHIVED });
    query.andWhere('o.status <> :purged', { purged: OrganizationStatus.PURGED });
    if (filter.type) query.andWhere('o.type = :type', { type: filter.type });
    return keysetPage(query, page);
  }

  /**
   * Reads the organization under a row lock for the rest of the transaction: changes to one
   * organization commit one after another, so their events leave the outbox in commit order.
   */
  async lockById(id: string, manager: EntityManager): Promise<OrganizationEntity> {
    const organization = isUuid(id)
      ? await manager.findOne(OrganizationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!organization) throw new NotFoundError('organization', id);
    return organization;
  }

  /** The vendor a new partner belongs to, locked: a vendor being offboarded takes no new partners. */
  private async requireVendor(manager: EntityManager, vendorId: string): Promise<void> {
    const vendor = await this.lockById(vendorId, manager).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new InvalidInputError('vendorId', `organization ${vendorId} does not exist`);
      throw error;
    });
    if (vendor.type !== OrganizationType.VENDOR) {
      throw new InvalidInputError('vendorId', `organization ${vendorId} is ${withArticle(vendor.type)}, not a VENDOR`);
    }
    if (vendor.status === OrganizationStatus.ARCHIVED || vendor.status === OrganizationStatus.PURGED) {
      throw new DomainError(ErrorCode.ORGANIZATION_ARCHIVED, `vendor ${vendorId} is ${vendor.status}`, {
        organizationId: vendorId,
      });
    }
    const offboarding = await manager.findOneBy(OffboardingCaseEntity, { organizationId: vendorId, status: In(OPEN_CASE) });
    if (vendor.status === OrganizationStatus.OFFBOARDING || offboarding) {
      throw new DomainError(
        ErrorCode.VENDOR_OFFBOARDING,
        `vendor ${vendorId} is being offboarded${offboarding ? ` (day 0 ${offboarding.dayZero})` : ''}: it takes no new partners`,
        { organizationId: vendorId, caseId: offboarding?.id ?? null, dayZero: offboarding?.dayZero ?? null },
      );
    }
  }
}

function validContact(input: ContactInput, field: string): Required<ContactInput> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw new InvalidInputError(`${field}.name`, 'must be 1 to 200 characters');
  const email = input.email.trim();
  if (email.length > 320 || !EMAIL.test(email)) throw new InvalidInputError(`${field}.email`, 'must be an e-mail address');
  const phone = input.phone?.trim() || null;
  if (phone !== null && !/^\+?[0-9 ()\-.]{3,64}$/.test(phone)) throw new InvalidInputError(`${field}.phone`, 'must be a phone number');
  const address = input.address?.trim() || null;
  if (address !== null && address.length > 1000) throw new InvalidInputError(`${field}.address`, 'must be at most 1000 characters');
  const role = input.role?.trim() || null;
  if (role !== null && role.length > 100) throw new InvalidInputError(`${field}.role`, 'must be at most 100 characters');
  return { name, email, phone, address, role };
}

function schemaName(manager: EntityManager): string {
  return (manager.connection.options as { schema?: string }).schema ?? 'public';
}
