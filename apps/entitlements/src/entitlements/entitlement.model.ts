import { Field, ID, ObjectType } from '@nestjs/graphql';
import { CancellationReason, EntitlementClass, EntitlementStatus } from '@offboarding/contracts';
import { Connection } from '@offboarding/platform';
import '../graphql/enums';

@ObjectType('Entitlement', { description: 'What an organization bought: one of six classes, with its lifecycle.' })
export class EntitlementModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => EntitlementClass)
  class!: EntitlementClass;

  @Field()
  product!: string;

  @Field(() => EntitlementStatus)
  status!: EntitlementStatus;

  @Field()
  grantedAt!: Date;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => CancellationReason, { nullable: true })
  cancellationReason!: CancellationReason | null;

  @Field(() => String, { nullable: true })
  cancellationNotes!: string | null;

  @Field(() => String, { nullable: true, description: 'Actor id that cancelled it.' })
  cancelledBy!: string | null;
}

@ObjectType()
export class EntitlementConnection extends Connection(EntitlementModel, 'Entitlement') {}
