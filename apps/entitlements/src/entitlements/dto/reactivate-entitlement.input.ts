import { Field, ID, InputType } from '@nestjs/graphql';

@InputType()
export class ReactivateEntitlementInput {
  @Field(() => ID)
  entitlementId!: string;

  @Field({ description: 'The new order or payment reference the customer comes back with.' })
  reference!: string;
}
