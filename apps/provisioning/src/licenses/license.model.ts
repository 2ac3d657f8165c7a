import { Field, ID, ObjectType } from '@nestjs/graphql';
import { LicenseStatus } from '@offboarding/contracts';
import '../graphql/enums';

@ObjectType('License', { description: 'A plugin licence issued for a PLG entitlement.' })
export class LicenseModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  entitlementId!: string;

  @Field({ description: 'The key the plugin sends to check for updates and download.' })
  licenseKey!: string;

  @Field()
  product!: string;

  @Field(() => LicenseStatus)
  status!: LicenseStatus;

  @Field()
  issuedAt!: Date;

  @Field(() => Date, { nullable: true })
  cancelledAt!: Date | null;
}
