import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';

/** The organization as this subgraph knows it: only its key; fields are added by resolvers. */
@ObjectType('Organization')
@Directive('@key(fields: "id")')
export class OrganizationReference {
  @Field(() => ID)
  id!: string;
}
