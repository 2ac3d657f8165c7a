import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { EntitlementClass } from '@offboarding/contracts';
import { PolicySource } from './provisioning-policies.service';
import '../graphql/enums';

@ObjectType('ProvisioningPolicy', { description: 'What cancelling an entitlement of a class does to its downstream resources.' })
export class ProvisioningPolicyModel {
  @Field(() => ID, { nullable: true, description: 'Null for the global policy.' })
  organizationId!: string | null;

  @Field(() => EntitlementClass)
  class!: EntitlementClass;

  @Field({ description: 'When false, resources stay as they are until the organization is purged.' })
  deprovisionOnCancel!: boolean;

  @Field(() => PolicySource, { description: 'Where the effective value comes from.' })
  source!: PolicySource;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}

@InputType()
export class SetProvisioningPolicyInput {
  @Field(() => ID, { nullable: true, description: 'Null (or left out) sets the global policy.' })
  organizationId?: string | null;

  @Field(() => EntitlementClass)
  class!: EntitlementClass;

  @Field()
  deprovisionOnCancel!: boolean;
}
