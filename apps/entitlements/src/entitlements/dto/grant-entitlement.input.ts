import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { EntitlementClass } from '@offboarding/contracts';
import '../../graphql/enums';

@InputType({ description: 'A prepaid term: what was paid for which period, for prorated refunds.' })
export class PrepaidTermInput {
  @Field(() => Int, { description: 'Minor units (cents).' })
  amountMinor!: number;

  @Field({ description: 'ISO 4217, e.g. EUR.' })
  currency!: string;

  @Field()
  from!: Date;

  @Field()
  until!: Date;
}

@InputType()
export class GrantEntitlementInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => EntitlementClass)
  class!: EntitlementClass;

  @Field({ description: 'Product or plan name, 1 to 200 characters.' })
  product!: string;

  @Field(() => String, { nullable: true })
  orderReference?: string | null;

  @Field(() => PrepaidTermInput, { nullable: true })
  prepaid?: PrepaidTermInput | null;
}
