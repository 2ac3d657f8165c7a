import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('PortalAccess', { description: "Whether the organization's collaborators may use the customer portal." })
export class PortalAccessModel {
  @Field()
  enabled!: boolean;

  @Field()
  changedAt!: Date;
}
