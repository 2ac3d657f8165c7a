import { Field, ID, InputType } from '@nestjs/graphql';
import { EntitlementClass } from '@offboarding/contracts';
import '../../graphql/enums';

@InputType()
export class GrantEntitlementInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => EntitlementClass)
  class!: EntitlementClass;

  @Field({ description: 'Product or plan name, 1 to 200 characters.' })
  product!: string;
}
