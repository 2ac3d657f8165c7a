import { Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { OrganizationReference } from '../organizations/organization.model';
import type { PortalAccessEntity } from './portal-access.entity';
import { PortalAccessModel } from './portal-access.model';
import { PortalAccessService } from './portal-access.service';

@Resolver(() => OrganizationReference)
export class OrganizationPortalAccessResolver {
  constructor(private readonly portalAccessService: PortalAccessService) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): OrganizationReference {
    return { id: reference.id };
  }

  @ResolveField(() => PortalAccessModel, {
    nullable: true,
    description: 'Null until the identity service has seen the organization.',
  })
  portalAccess(@Parent() organization: OrganizationReference): Promise<PortalAccessEntity | null> {
    return this.portalAccessService.forOrganization(organization.id);
  }
}
