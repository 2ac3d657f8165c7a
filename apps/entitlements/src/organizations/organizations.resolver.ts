import { Args, ID, Int, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { pageRequest } from '@offboarding/platform';
import { CreateOrganizationInput } from './dto/create-organization.input';
import { OrganizationFilter } from './dto/organization-filter.input';
import type { OrganizationEntity } from './organization.entity';
import { OrganizationConnection, OrganizationModel } from './organization.model';
import { OrganizationsService } from './organizations.service';

@Resolver(() => OrganizationModel)
export class OrganizationsResolver {
  constructor(private readonly organizationsService: OrganizationsService) {}

  @Query(() => OrganizationModel, { nullable: true })
  organization(@Args('id', { type: () => ID }) id: string): Promise<OrganizationEntity | null> {
    return this.organizationsService.findById(id);
  }

  @Query(() => OrganizationConnection)
  organizations(
    @Args('filter', { type: () => OrganizationFilter, nullable: true }) filter: OrganizationFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.organizationsService.list(
      { includeArchived: filter?.includeArchived ?? false, type: filter?.type ?? null },
      pageRequest(first, after),
    );
  }

  @Mutation(() => OrganizationModel)
  createOrganization(@Args('input') input: CreateOrganizationInput): Promise<OrganizationEntity> {
    return this.organizationsService.create(input);
  }

  @ResolveReference()
  resolveReference(reference: { id: string }): Promise<OrganizationEntity | null> {
    return this.organizationsService.findById(reference.id);
  }
}
