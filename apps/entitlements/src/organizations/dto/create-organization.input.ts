import { Field, ID, InputType } from '@nestjs/graphql';
import { OrganizationType } from '@offboarding/contracts';
import '../../graphql/enums';

@InputType()
export class CreateOrganizationInput {
  @Field({ description: 'Legal name, 1 to 200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Tax or VAT id, 2 to 64 letters, digits, dashes or dots.' })
  taxId?: string | null;

  @Field(() => OrganizationType)
  type!: OrganizationType;

  @Field(() => ID, { nullable: true, description: 'Required for a PARTNER: the vendor it belongs to.' })
  vendorId?: string | null;
}
