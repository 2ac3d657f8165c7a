import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OrganizationStatus, OrganizationType } from '@offboarding/contracts';
import { UnitOfWork } from '@offboarding/messaging';
import {
  Clock,
  DomainError,
  ErrorCode,
  InvalidInputError,
  NotFoundError,
  type ConnectionShape,
  keysetPage,
  type PageRequest,
} from '@offboarding/platform';
import { isUuid } from '../validation';
import { OrganizationEntity } from './organization.entity';

export interface CreateOrganizationCommand {
  name: string;
  taxId?: string | null;
  type: OrganizationType;
  vendorId?: string | null;
}

export interface OrganizationListFilter {
  includeArchived: boolean;
  type?: OrganizationType | null;
}

const TAX_ID = /^[A-Za-z0-9][A-Za-z0-9.\- ]{0,62}[A-Za-z0-9]$/;

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
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

    return this.unitOfWork.run(async ({ manager, publish }) => {
      if (vendorId !== null) await this.requireVendor(manager, vendorId);
      const now = this.clock.now();
      const organization = manager.create(OrganizationEntity, {
        id: randomUUID(),
        name,
        taxId,
        type: command.type,
        status: OrganizationStatus.ACTIVE,
        vendorId,
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
      return organization;
    });
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

  private async requireVendor(manager: EntityManager, vendorId: string): Promise<void> {
    const vendor = await this.getById(vendorId, manager).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new InvalidInputError('vendorId', `organization ${vendorId} does not exist`);
      throw error;
    });
    if (vendor.type !== OrganizationType.VENDOR) {
      throw new InvalidInputError('vendorId', `organization ${vendorId} is a ${vendor.type}, not a VENDOR`);
    }
    if (vendor.status === OrganizationStatus.ARCHIVED || vendor.status === OrganizationStatus.PURGED) {
      throw new DomainError(ErrorCode.ORGANIZATION_ARCHIVED, `vendor ${vendorId} is ${vendor.status}`, {
        organizationId: vendorId,
      });
    }
  }
}
