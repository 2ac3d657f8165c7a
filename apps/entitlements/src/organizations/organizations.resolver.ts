import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { AdminOnly, AnyRole, assertOrganizationAccess, type Caller, CurrentCaller, pageRequest } from '@offboarding/platform';
import { assertPortalAccess } from './organization-access';
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
  @AnyRole()
  async organization(@Args('id', ID_ARG) id: string, @CurrentCaller() caller: Caller): Promise<OrganizationEntity | null> {
    // Scope first, so a collaborator learns nothing about whether another organization exists.
    assertOrganizationAccess(caller, id);
    const organization = await this.organizationsService.findById(id);
    if (organization) assertPortalAccess(caller, organization);
    return organization;
  }

  @Query(() => OrganizationConnection, { description: 'Archived organizations only with filter.includeArchived; purged ones never. Staff only.' })
  @AdminOnly()
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
  @AdminOnly()
  createOrganization(@Args('input') input: CreateOrganizationInput, @CurrentCaller() caller: Caller): Promise<OrganizationEntity> {
    return this.organizationsService.create({ ...input, actor: caller.actorId });
  }

  @Mutation(() => ContactModel)
  @AdminOnly()
  addContact(
    @Args('organizationId', ID_ARG) organizationId: string,
    @Args('input') input: ContactInput,
    @CurrentCaller() caller: Caller,
  ): Promise<ContactEntity> {
    return this.organizationsService.addContact(organizationId, input, caller.actorId);
  }

  @Mutation(() => OrganizationModel, { description: 'Archives an organization whose entitlements are all cancelled.' })
  @AdminOnly()
  archiveOrganization(@Args('id', ID_ARG) id: string, @CurrentCaller() caller: Caller): Promise<OrganizationEntity> {
    return this.organizationsService.archive(id, caller.actorId);
  }

  @Mutation(() => OrganizationModel, { description: 'Brings an archived organization back, within its reactivation window.' })
  @AdminOnly()
  unarchiveOrganization(@Args('id', ID_ARG) id: string, @CurrentCaller() caller: Caller): Promise<OrganizationEntity> {
    return this.organizationsService.unarchive(id, caller.actorId);
  }

  @ResolveField(() => OrganizationModel, { nullable: true, description: 'The vendor of a partner organization (staff only: another organization).' })
  @AdminOnly()
  vendor(@Parent() organization: OrganizationEntity): Promise<OrganizationEntity | null> {
    return organization.vendorId ? this.organizationsService.findById(organization.vendorId) : Promise.resolve(null);
  }

  @ResolveField(() => OrganizationConnection, {
    nullable: true,
    description:
      "A vendor's partner organizations. Staff only (other organizations): null with a FORBIDDEN error at this path for other roles, the rest of the organization still answered.",
  })
  @AdminOnly()
  partners(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.organizationsService.listPartners(organization.id, pageRequest(first, after));
  }

  @ResolveField(() => ContactConnection)
  @AnyRole()
  contacts(@Parent() organization: OrganizationEntity, @Args('first', FIRST) first: number | null, @Args('after', AFTER) after: string | null) {
    return this.organizationsService.listContacts(organization.id, pageRequest(first, after));
  }

  @ResolveReference()
  @AnyRole()
  async resolveReference(@Parent() reference: { id: string }, @CurrentCaller() caller: Caller): Promise<OrganizationEntity | null> {
    assertOrganizationAccess(caller, reference.id);
    const organization = await this.organizationsService.findById(reference.id);
    if (organization) assertPortalAccess(caller, organization);
    return organization;
  }
}
