import { Field, InputType } from '@nestjs/graphql';
import { OrganizationType } from '@offboarding/contracts';
import '../../graphql/enums';

@InputType()
export class OrganizationFilter {
  @Field({ defaultValue: false, description: 'Archived organizations are hidden unless this is true.' })
  includeArchived!: boolean;

  @Field(() => OrganizationType, { nullable: true })
  type?: OrganizationType | null;
}
