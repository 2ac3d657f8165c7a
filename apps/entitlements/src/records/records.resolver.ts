import { Args, Int, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, type Caller, CurrentCaller, pageRequest } from '@offboarding/platform';
import type { OrganizationEntity } from '../organizations/organization.entity';
import { OrganizationModel } from '../organizations/organization.model';
import { DocumentEntity, InvoiceEntity, OrderEntity, QuoteEntity } from './records.entities';
import {
  AddDocumentInput,
  CreateInvoiceInput,
  CreateOrderInput,
  CreateQuoteInput,
  DocumentConnection,
  DocumentModel,
  InvoiceConnection,
  InvoiceModel,
  OrderConnection,
  OrderModel,
  QuoteConnection,
  QuoteModel,
} from './records.model';
import { RecordsService } from './records.service';

const FIRST = { type: () => Int, nullable: true };
const AFTER = { type: () => String, nullable: true };

@Resolver(() => OrganizationModel)
export class RecordsResolver {
  constructor(private readonly records: RecordsService) {}

  @Mutation(() => OrderModel, { description: 'Refused with ORGANIZATION_ARCHIVED for an archived organization.' })
  @AdminOnly()
  createOrder(@Args('input') input: CreateOrderInput, @CurrentCaller() caller: Caller): Promise<OrderEntity> {
    return this.records.createOrder(input, caller.actorId);
  }

  @Mutation(() => QuoteModel, { description: 'Refused with ORGANIZATION_ARCHIVED for an archived organization.' })
  @AdminOnly()
  createQuote(@Args('input') input: CreateQuoteInput, @CurrentCaller() caller: Caller): Promise<QuoteEntity> {
    return this.records.createQuote(input, caller.actorId);
  }

  @Mutation(() => InvoiceModel)
  @AdminOnly()
  createInvoice(@Args('input') input: CreateInvoiceInput, @CurrentCaller() caller: Caller): Promise<InvoiceEntity> {
    return this.records.createInvoice(input, caller.actorId);
  }

  @Mutation(() => DocumentModel)
  @AdminOnly()
  addDocument(@Args('input') input: AddDocumentInput, @CurrentCaller() caller: Caller): Promise<DocumentEntity> {
    return this.records.addDocument(input, caller.actorId);
  }

  @ResolveField(() => OrderConnection)
  @AnyRole()
  orders(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.records.list(OrderEntity, organization.id, pageRequest(first, after));
  }

  @ResolveField(() => QuoteConnection)
  @AnyRole()
  quotes(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.records.list(QuoteEntity, organization.id, pageRequest(first, after));
  }

  @ResolveField(() => InvoiceConnection)
  @AnyRole()
  invoices(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.records.list(InvoiceEntity, organization.id, pageRequest(first, after));
  }

  @ResolveField(() => DocumentConnection)
  @AnyRole()
  documents(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.records.list(DocumentEntity, organization.id, pageRequest(first, after));
  }
}
