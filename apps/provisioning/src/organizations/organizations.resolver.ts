import { Resolver, ResolveReference } from '@nestjs/graphql';
import { OrganizationReference } from './organization.model';

/** Resolves the organization stub the gateway hands over; the feature resolvers add its fields. */
@Resolver(() => OrganizationReference)
export class OrganizationsResolver {
  @ResolveReference()
  resolveReference(reference: { id: string }): OrganizationReference {
    return { id: reference.id };
  }
}
