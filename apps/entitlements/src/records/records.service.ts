import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { type Transaction, UnitOfWork } from '@offboarding/messaging';
import { addDays, Clock, type ConnectionShape, DomainError, ErrorCode, InvalidInputError, keysetPage, type PageRequest, withArticle } from '@offboarding/platform';
import { AuditLog } from '../audit/audit-log';
import { OrganizationsService } from '../organizations/organizations.service';
import { DocumentEntity, InvoiceEntity, InvoiceStatus, OrderEntity, OrderStatus, QuoteEntity, QuoteStatus } from './records.entities';

export interface CommercialInput {
  organizationId: string;
  reference: string;
  description: string;
  amountMinor: number;
  currency: string;
}

export interface InvoiceInput {
  organizationId: string;
  number: string;
  orderId?: string | null;
  amountMinor: number;
  currency: string;
  dueInDays: number;
}

export interface DocumentInput {
  organizationId: string;
  title: string;
  kind: string;
  contentType: string;
  content: string;
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/#]{0,99}$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_DOCUMENT_BYTES = 1_000_000;

type Constructor<T> = new () => T;

/** Orders, quotes, invoices and documents: the organization's records that export and purge cover. */
@Injectable()
export class RecordsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly organizations: OrganizationsService,
    private readonly auditLog: AuditLog,
    private readonly clock: Clock,
  ) {}

  createOrder(input: CommercialInput, actor: string): Promise<OrderEntity> {
    const values = validCommercial(input);
    return this.insert(
      OrderEntity,
      input.organizationId,
      actor,
      'order',
      true,
      (now) => ({ ...values, status: OrderStatus.OPEN, createdAt: now, updatedAt: now }),
      (tx, row) =>
        tx.publish('com.offboarding.entitlements.order_created.v1', row.organizationId, {
          organizationId: row.organizationId,
          orderId: row.id,
          reference: row.reference,
          amountMinor: row.amountMinor,
          currency: row.currency,
          status: row.status,
          createdBy: actor,
          createdAt: row.createdAt.toISOString(),
        }),
    );
  }

  createQuote(input: CommercialInput & { validForDays?: number | null }, actor: string): Promise<QuoteEntity> {
    const values = validCommercial(input);
    const validForDays = input.validForDays ?? 30;
    if (!Number.isInteger(validForDays) || validForDays < 1 || validForDays > 365) throw new InvalidInputError('validForDays', 'must be 1 to 365');
    return this.insert(
      QuoteEntity,
      input.organizationId,
      actor,
      'quote',
      true,
      (now) => ({ ...values, status: QuoteStatus.OPEN, validUntil: addDays(now, validForDays), createdAt: now, updatedAt: now }),
      (tx, row) =>
        tx.publish('com.offboarding.entitlements.quote_created.v1', row.organizationId, {
          organizationId: row.organizationId,
          quoteId: row.id,
          reference: row.reference,
          amountMinor: row.amountMinor,
          currency: row.currency,
          validUntil: row.validUntil.toISOString(),
          createdBy: actor,
          createdAt: row.createdAt.toISOString(),
        }),
    );
  }

  createInvoice(input: InvoiceInput, actor: string): Promise<InvoiceEntity> {
    const number = input.number.trim();
    if (!REFERENCE.test(number)) throw new InvalidInputError('number', 'must be 1 to 100 letters, digits or . _ - / #');
    validAmount(input.amountMinor, input.currency);
    if (!Number.isInteger(input.dueInDays) || input.dueInDays < 0 || input.dueInDays > 365) throw new InvalidInputError('dueInDays', 'must be 0 to 365');
    return this.insert(
      InvoiceEntity,
      input.organizationId,
      actor,
      'invoice',
      false,
      (now) => ({
        number,
        orderId: input.orderId ?? null,
        amountMinor: input.amountMinor,
        currency: input.currency,
        status: InvoiceStatus.OPEN,
        issuedAt: now,
        dueAt: addDays(now, input.dueInDays),
        createdAt: now,
        updatedAt: now,
      }),
      (tx, row) =>
        tx.publish('com.offboarding.entitlements.invoice_issued.v1', row.organizationId, {
          organizationId: row.organizationId,
          invoiceId: row.id,
          number: row.number,
          orderId: row.orderId,
          amountMinor: row.amountMinor,
          currency: row.currency,
          dueAt: row.dueAt.toISOString(),
          issuedBy: actor,
          issuedAt: row.issuedAt.toISOString(),
        }),
    );
  }

  addDocument(input: DocumentInput, actor: string): Promise<DocumentEntity> {
    const title = input.title.trim();
    if (title.length < 1 || title.length > 200) throw new InvalidInputError('title', 'must be 1 to 200 characters');
    if (!/^[A-Z_]{1,32}$/.test(input.kind)) throw new InvalidInputError('kind', 'must be an upper-case code such as CONTRACT');
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(input.contentType)) throw new InvalidInputError('contentType', 'must be a media type');
    const sizeBytes = Buffer.byteLength(input.content, 'utf8');
    if (sizeBytes > MAX_DOCUMENT_BYTES) throw new InvalidInputError('content', `must be at most ${MAX_DOCUMENT_BYTES} bytes`);
    return this.insert(
      DocumentEntity,
      input.organizationId,
      actor,
      'document',
      false,
      (now) => ({
        title,
        kind: input.kind,
        contentType: input.contentType,
        content: input.content,
        sizeBytes,
        sha256: createHash('sha256').update(input.content, 'utf8').digest('hex'),
        createdAt: now,
        updatedAt: now,
      }),
      (tx, row) =>
        tx.publish('com.offboarding.entitlements.document_added.v1', row.organizationId, {
          organizationId: row.organizationId,
          documentId: row.id,
          kind: row.kind,
          contentType: row.contentType,
          sizeBytes: row.sizeBytes,
          sha256: row.sha256,
          addedBy: actor,
          addedAt: row.createdAt.toISOString(),
        }),
    );
  }

  list<T extends ObjectLiteral & { id: string; createdAt: Date }>(entity: Constructor<T>, organizationId: string, page: PageRequest): Promise<ConnectionShape<T>> {
    const query = this.dataSource.getRepository(entity).createQueryBuilder('r').where('r.organization_id = :organizationId', { organizationId });
    return keysetPage(query, page);
  }

  private insert<T extends ObjectLiteral & { id: string }>(
    entity: Constructor<T>,
    organizationId: string,
    actor: string,
    kind: string,
    refusedWhenArchived: boolean,
    values: (now: Date) => Omit<T, 'id' | 'organizationId'>,
    announce: (tx: Transaction, row: T) => Promise<unknown>,
  ): Promise<T> {
    return this.unitOfWork.run(async (tx) => {
      const organization = await this.organizations.lockById(organizationId, tx.manager);
      if (refusedWhenArchived) this.organizations.requireNotArchived(organization);
      else if (organization.status === 'PURGED') this.organizations.requireNotArchived(organization);
      const row = { id: randomUUID(), organizationId: organization.id, ...values(this.clock.now()) } as unknown as T;
      await this.insertUnique(tx.manager, entity, row, kind);
      await announce(tx, row);
      await this.auditLog.record(tx, { organizationId: organization.id, actor, action: `${kind}.create`, subjectType: kind, subjectId: row.id });
      return row;
    });
  }

  private async insertUnique<T extends ObjectLiteral>(manager: EntityManager, entity: Constructor<T>, row: T, kind: string): Promise<void> {
    try {
      await manager.insert(entity, row);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new DomainError(ErrorCode.CONFLICT, `this organization already has ${withArticle(kind)} with that reference or number`, { kind });
      }
      throw error;
    }
  }
}

function validAmount(amountMinor: number, currency: string): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new InvalidInputError('amountMinor', 'must be a whole, non-negative amount in minor units');
  if (!CURRENCY.test(currency)) throw new InvalidInputError('currency', 'must be an ISO 4217 code such as EUR');
}

function validCommercial(input: CommercialInput) {
  const reference = input.reference.trim();
  if (!REFERENCE.test(reference)) throw new InvalidInputError('reference', 'must be 1 to 100 letters, digits or . _ - / #');
  const description = input.description.trim();
  if (description.length < 1 || description.length > 500) throw new InvalidInputError('description', 'must be 1 to 500 characters');
  validAmount(input.amountMinor, input.currency);
  return { reference, description, amountMinor: input.amountMinor, currency: input.currency };
}
