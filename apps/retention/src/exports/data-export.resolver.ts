import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AnyRole, assertOrganizationAccess, type Caller, CurrentCaller } from '@offboarding/platform';
import { OrganizationReference } from '../organizations/organization.model';
import { toExportModel } from '../timeline/retention.mappers';
import { DataExportModel } from '../timeline/retention.models';
import { DataExportService } from './data-export.service';

@Resolver(() => DataExportModel)
export class DataExportResolver {
  constructor(private readonly exports: DataExportService) {}

  @Mutation(() => DataExportModel, { description: 'Starts an export of every collection of every service as a ZIP; poll DataExport.status, then downloadUrl.' })
  @AnyRole()
  async requestDataExport(@Args('organizationId', { type: () => ID }) organizationId: string, @CurrentCaller() caller: Caller): Promise<DataExportModel> {
    assertOrganizationAccess(caller, organizationId);
    return toExportModel(await this.exports.request({ organizationId, actor: caller.actorId, role: caller.role }));
  }

  @Query(() => DataExportModel, { nullable: true })
  @AnyRole()
  async dataExport(@Args('id', { type: () => ID }) id: string, @CurrentCaller() caller: Caller): Promise<DataExportModel | null> {
    const row = await this.exports.find(id);
    if (!row) return null;
    assertOrganizationAccess(caller, row.organizationId);
    return toExportModel(row);
  }

  @ResolveField(() => String, { nullable: true, description: 'A signed link valid for EXPORT_URL_TTL_SECONDS (default a day) from this query; null until READY.' })
  @AnyRole()
  async downloadUrl(@Parent() dataExport: DataExportModel, @CurrentCaller() caller: Caller): Promise<string | null> {
    assertOrganizationAccess(caller, dataExport.organizationId);
    const row = await this.exports.find(dataExport.id);
    return row ? (this.exports.downloadUrlOf(row)?.url ?? null) : null;
  }
}

@Resolver(() => OrganizationReference)
export class OrganizationExportsResolver {
  constructor(private readonly exports: DataExportService) {}

  @ResolveField(() => [DataExportModel], { description: 'The latest data exports, newest first.' })
  @AnyRole()
  async dataExports(@Parent() organization: OrganizationReference, @CurrentCaller() caller: Caller): Promise<DataExportModel[]> {
    assertOrganizationAccess(caller, organization.id);
    return (await this.exports.listFor(organization.id)).map(toExportModel);
  }
}
