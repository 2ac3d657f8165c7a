import { Parent, Resolver, ResolveReference } from '@nestjs/graphql';
import { AnyRole, assertOrganizationAccess, type Caller, CurrentCaller } from '@offboarding/platform';
import { OrganizationReference } from './organization.model';

/**
 * Resolves the organization stub the gateway hands over; the feature resolvers add its fields.
 * Every field of an organization in this subgraph is reached through here, so the organization
 * scope is checked once for all of them.
 */
@Resolver(() => OrganizationReference)
export class OrganizationsResolver {
  @ResolveReference()
  @AnyRole()
  resolveReference(@Parent() reference: { id: string }, @CurrentCaller() caller: Caller): OrganizationReference {
    assertOrganizationAccess(caller, reference.id);
    return { id: reference.id };
  }
}
