import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AdminOnly, AnyRole, type Caller, CurrentCaller } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import { EnvironmentExportEntity } from './environment-export.entity';
import type { EnvironmentEntity } from './environment.entity';
import { EnvironmentExportModel, EnvironmentModel, UpdateEnvironmentContactInput } from './environment.model';
import { EnvironmentsService } from './environments.service';

@Resolver(() => OrganizationReference)
export class OrganizationEnvironmentsResolver {
  constructor(private readonly environmentsService: EnvironmentsService) {}

  @ResolveField(() => [EnvironmentModel], { description: 'Hosted environments of the organization, oldest first.' })
  @AnyRole()
  environments(@Parent() organization: OrganizationReference): Promise<EnvironmentEntity[]> {
    return this.environmentsService.listForOrganization(organization.id);
  }
}

@Resolver(() => EnvironmentModel)
export class EnvironmentsResolver {
  constructor(private readonly environments: EnvironmentsService) {}

  @ResolveField(() => [EnvironmentExportModel], { description: 'Export artifacts, oldest first.' })
  @AnyRole()
  exports(@Parent() environment: EnvironmentEntity): Promise<EnvironmentExportEntity[]> {
    return this.environments.exportsOf(environment.id);
  }

  @ResolveField(() => Boolean, { description: 'Whether a teardown may go ahead: the data was exported since it last changed, or the export was waived.' })
  @AnyRole()
  teardownCleared(@Parent() environment: EnvironmentEntity): Promise<boolean> {
    return this.environments.teardownCleared(environment);
  }

  @Mutation(() => EnvironmentExportModel, { description: "Exports the environment's data to object storage, ahead of its teardown." })
  @AdminOnly()
  exportEnvironmentData(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<EnvironmentExportEntity> {
    return this.environments.exportData(id, caller.actorId);
  }

  @Mutation(() => EnvironmentModel, { description: 'Lets the environment be torn down without an export (admins; the reason is kept).' })
  @AdminOnly()
  waiveEnvironmentExport(@Args('id', { type: () => ID }) id: string, @Args('reason') reason: string, @CurrentCaller() caller: Caller): Promise<EnvironmentEntity> {
    return this.environments.waiveExport(id, reason, caller.actorId);
  }

  @Mutation(() => EnvironmentModel, {
    description: 'Tears a deprovisioned environment down now (admins). Refused with INVALID_TRANSITION and blockedBy EXPORT_REQUIRED until exported or waived.',
  })
  @AdminOnly()
  tearDownEnvironment(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<EnvironmentEntity> {
    return this.environments.tearDown(id, caller.actorId);
  }

  @Mutation(() => EnvironmentModel, { description: "Sets the environment's technical contact." })
  @AdminOnly()
  updateEnvironmentContact(@Args('input') input: UpdateEnvironmentContactInput): Promise<EnvironmentEntity> {
    return this.environments.updateContact(input.id, input.contactName, input.contactEmail);
  }
}

@Resolver(() => EnvironmentExportModel)
export class EnvironmentExportsResolver {
  /** One link per artifact and query, so downloadUrl and downloadUrlExpiresAt always agree. */
  private readonly links = new WeakMap<EnvironmentExportEntity, { url: string; expiresAt: Date }>();

  constructor(private readonly environments: EnvironmentsService) {}

  private linkOf(artifact: EnvironmentExportEntity): { url: string; expiresAt: Date } {
    let link = this.links.get(artifact);
    if (!link) this.links.set(artifact, (link = this.environments.downloadLinkOf(artifact)));
    return link;
  }

  @ResolveField(() => String, {
    description:
      'A signed link to download the artifact, to give to the customer: on the public origin, valid EXPORT_URL_TTL_SECONDS (a day) from this query. A new query gives a fresh link.',
  })
  @AnyRole()
  downloadUrl(@Parent() artifact: EnvironmentExportEntity): string {
    return this.linkOf(artifact).url;
  }

  @ResolveField(() => Date, { description: 'When the downloadUrl of this query stops working.' })
  @AnyRole()
  downloadUrlExpiresAt(@Parent() artifact: EnvironmentExportEntity): Date {
    return this.linkOf(artifact).expiresAt;
  }
}
