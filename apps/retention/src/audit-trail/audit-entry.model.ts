import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '@offboarding/platform';

@ObjectType('AuditEntry', { description: 'One offboarding action, linked to the previous one by its hash.' })
export class AuditEntryModel {
  @Field(() => Int, { description: 'Position in the organization’s chain, from 1.' })
  sequence!: number;

  @Field(() => ID, { description: 'The event id (CloudEvents ce_id) this entry records.' })
  eventId!: string;

  @Field()
  eventType!: string;

  @Field({ description: 'The service that acted.' })
  source!: string;

  @Field()
  occurredAt!: Date;

  @Field()
  recordedAt!: Date;

  @Field({ description: 'What was done, as JSON: ids, statuses, reasons, actor ids; never personal data.' })
  details!: string;

  @Field()
  previousHash!: string;

  @Field({ description: 'SHA-256 over this entry and previousHash.' })
  hash!: string;
}

@ObjectType()
export class AuditEntryConnection extends Connection(AuditEntryModel, 'AuditEntry') {}
