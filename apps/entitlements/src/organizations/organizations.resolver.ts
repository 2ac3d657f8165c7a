import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { type Caller, CurrentCaller, pageRequest } from '@offboarding/platform';
import type { ContactEntity } from './contact.entity';
import { ContactInput, CreateOrganizationInput } from './dto/create-organization.input';
import { OrganizationFilter } from './dto/organization-filter.input';
import type { OrganizationEntity } from './organization.entity';
import { ContactConnection, ContactModel, OrganizationConnection, OrganizationModel } from './organization.model';
import { OrganizationsService } from './organizations.service';

const ID_ARG = { type: () => ID };
const FIRST = { type: () => Int, nullable: true };
const AFTER = { type: () => String, nullable: true };

@Resolver(() => OrganizationModel)
export class OrganizationsResolver {
  constructor(private readonly organizationsService: OrganizationsService) {}

  @Query(() => OrganizationModel, { nullable: true })
  organization(@Args('id', ID_ARG) id: string): Promise<OrganizationEntity | null> {
    return this.organizationsService.findById(id);
  }

  @Query(() => OrganizationConnection, { description: 'Archived organizations only with filter.includeArchived; purged ones never.' })
  organizations(
    @Args('filter', { type: () => OrganizationFilter, nullable: true }) filter: OrganizationFilter | null,
    @Args('first', FIRST) first: number | null,
    @Args('after', AFTER) after: string | null,
  ) {
    return this.organizationsService.list(
      { includeArchived: filter?.includeArchived ?? false, type: filter?.type ?? null },
      pageRequest(first, after),
    );
  }

  @Mutation(() => OrganizationModel)
  createOrganization(@Args('input') input: CreateOrganizationInput, @CurrentCaller() caller: Caller): Promise<OrganizationEntity> {
    return this.organizationsService.create({ ...input, actor: caller.actorId });
  }

  @Mutation(() => ContactModel)
  addContact(
    @Args('organizationId', ID_ARG) organizationId: string,
    @Args('input') input: ContactInput,
    @CurrentCaller() caller: Caller,
  ): Promise<ContactEntity> {
    return this.organizationsService.addContact(organizationId, input, caller.actorId);
  }

  @Mutation(() => OrganizationModel, { description: 'Archives an organization whose entitlements are all cancelled.' })
  archiveOrganization(@Args('id', ID_ARG) id: string, @CurrentCaller() caller: Caller): Promise<OrganizationEntity> {
    return this.organizationsService.archive(id, caller.actorId);
  }

  @Mutation(() => OrganizationModel, { description: 'Brings an archived organization back, within its reactivation window.' })
  unarchiveOrganization(@Args('id', ID_ARG) id: string, @CurrentCaller() caller: Caller): Promise<OrganizationEntity> {
    return this.organizationsService.unarchive(id, caller.actorId);
  }

  @ResolveField(() => OrganizationModel, { nullable: true, description: 'The vendor of a partner organization.' })
  vendor(@Parent() organization: OrganizationEntity): Promise<OrganizationEntity | null> {
    return organization.vendorId ? this.organizationsService.findById(organization.vendorId) : Promise.resolve(null);
  }

  @ResolveField(() => OrganizationConnection, { description: "A vendor's partner organizations." })
  partners(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.organizationsService.listPartners(organization.id, pageRequest(first, after));
  }

  @ResolveField(() => ContactConnection)
  contacts(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.organizationsService.listContacts(organization.id, pageRequest(first, after));
  }

  @ResolveReference()
  resolveReference(reference: { id: string }): Promise<OrganizationEntity | null> {
    return this.organizationsService.findById(reference.id);
  }
}
