import { Field, ID, InputType } from '@nestjs/graphql';
import { OrganizationType } from '@offboarding/contracts';
import '../../graphql/enums';

@InputType()
export class ContactInput {
  @Field()
  name!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'E.g. billing, technical, legal.' })
  role?: string | null;
}

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

  @Field(() => [ContactInput], { nullable: true, description: 'At most 50.' })
  contacts?: ContactInput[] | null;
}
