import { Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { OrganizationReference } from '../organizations/organization.model';
import type { LicenseEntity } from './license.entity';
import { LicenseModel } from './license.model';
import { LicensesService } from './licenses.service';

@Resolver(() => OrganizationReference)
export class OrganizationLicensesResolver {
  constructor(private readonly licensesService: LicensesService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): OrganizationReference {
    return { id: reference.id };
  }

  @ResolveField(() => [LicenseModel], { description: 'Plugin licences of the organization, oldest first.' })
  licenses(@Parent() organization: OrganizationReference): Promise<LicenseEntity[]> {
    return this.licensesService.listForOrganization(organization.id);
  }
}
