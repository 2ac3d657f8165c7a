import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection, TextInput } from '@offboarding/platform';
import { InvoiceStatus, OrderStatus, QuoteStatus } from './records.entities';

registerEnumType(OrderStatus, { name: 'OrderStatus' });
registerEnumType(QuoteStatus, { name: 'QuoteStatus' });
registerEnumType(InvoiceStatus, { name: 'InvoiceStatus' });

@ObjectType('Order')
export class OrderModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field() reference!: string;
  @Field() description!: string;
  @Field(() => Int, { description: 'Amount in minor units of the currency (cents).' }) amountMinor!: number;
  @Field() currency!: string;
  @Field(() => OrderStatus) status!: OrderStatus;
  @Field() createdAt!: Date;
}

@ObjectType('Quote')
export class QuoteModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field() reference!: string;
  @Field() description!: string;
  @Field(() => Int) amountMinor!: number;
  @Field() currency!: string;
  @Field(() => QuoteStatus) status!: QuoteStatus;
  @Field() validUntil!: Date;
  @Field() createdAt!: Date;
}

@ObjectType('Invoice')
export class InvoiceModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field() number!: string;
  @Field(() => ID, { nullable: true }) orderId!: string | null;
  @Field(() => Int) amountMinor!: number;
  @Field() currency!: string;
  @Field(() => InvoiceStatus) status!: InvoiceStatus;
  @Field() issuedAt!: Date;
  @Field() dueAt!: Date;
}

@ObjectType('Document')
export class DocumentModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field() title!: string;
  @Field({ description: 'Upper-case code, e.g. CONTRACT, DPA, SOW.' }) kind!: string;
  @Field() contentType!: string;
  @Field(() => Int) sizeBytes!: number;
  @Field({ description: 'SHA-256 of the content, hex.' }) sha256!: string;
  @Field() createdAt!: Date;
}

@ObjectType() export class OrderConnection extends Connection(OrderModel, 'Order') {}
@ObjectType() export class QuoteConnection extends Connection(QuoteModel, 'Quote') {}
@ObjectType() export class InvoiceConnection extends Connection(InvoiceModel, 'Invoice') {}
@ObjectType() export class DocumentConnection extends Connection(DocumentModel, 'Document') {}

@InputType()
export class CreateOrderInput {
  @Field(() => ID) organizationId!: string;
  @Field({ description: 'Unique per organization; letters, digits, . _ - / #.' }) reference!: string;
  @Field() description!: string;
  @Field(() => Int) amountMinor!: number;
  @Field({ description: 'ISO 4217, e.g. EUR.' }) currency!: string;
}

@InputType()
export class CreateQuoteInput extends CreateOrderInput {
  @Field(() => Int, { nullable: true, description: 'Days the quote is valid, 1 to 365 (default 30).' }) validForDays?: number | null;
}

@InputType()
export class CreateInvoiceInput {
  @Field(() => ID) organizationId!: string;
  @Field() number!: string;
  @Field(() => ID, { nullable: true }) orderId?: string | null;
  @Field(() => Int) amountMinor!: number;
  @Field() currency!: string;
  @Field(() => Int, { defaultValue: 30 }) dueInDays!: number;
}

@InputType()
export class AddDocumentInput {
  @Field(() => ID) organizationId!: string;
  @Field() title!: string;
  @Field() kind!: string;
  @Field({ defaultValue: 'text/plain' }) contentType!: string;
  // Stored and hashed exactly as sent; the service checks its size in bytes.
  @Field({ description: 'The document text, at most 1 MB.' })
  @TextInput({ maxLength: 1_000_000, verbatim: true })
  content!: string;
}
