import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import {
  AdminOnly,
  AnyRole,
  assertOrganizationAccess,
  ClientAddress,
  type Caller,
  CurrentCaller,
  IdempotencyKeyIgnored,
  InvalidInputError,
  pageRequest,
  Public,
} from '@offboarding/platform';
import type { Transaction } from '@offboarding/messaging';
import { AccountOffboardingService, type IdentityActionResult } from '../offboarding/account-offboarding.service';
import { OrganizationReference } from '../organizations/organization.model';
import { PortalAccessModel } from '../portal-access/portal-access.model';
import { PortalAccessService } from '../portal-access/portal-access.service';
import type { PortalAccessEntity } from '../portal-access/portal-access.entity';
import { AuthService } from '../sessions/auth.service';
import type { IssuedTokens } from '../sessions/sessions.service';
import type { SsoConnectionEntity } from '../sso/sso-connection.entity';
import { SsoConnectionsService } from '../sso/sso-connections.service';
import { type IssuedPasswordSetup, PasswordSetupService } from '../password-setup/password-setup.service';
import { type UserView, UsersService } from '../users/users.service';
import {
  AuthPayloadModel,
  CreateSsoConnectionInput,
  CreateUserInput,
  IdentityActionResultModel,
  IssuePasswordSetupLinkInput,
  PasswordSetupModel,
  SsoConnectionModel,
  UserConnection,
  UserModel,
} from './identity.model';

const ID_ARG = { type: () => ID };
/** Why sign-in mutations ignore an Idempotency-Key. */
const FRESH_CREDENTIALS = 'answers fresh tokens, which are never stored; signing in again is harmless';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toUser(user: UserView): UserModel {
  return {
    id: user.id,
    organizationId: user.organizationId,
    role: user.role,
    status: user.status,
    email: user.email,
    displayName: user.displayName,
    createdAt: user.createdAt,
    deactivatedAt: user.deactivatedAt,
  };
}

function toConnection(connection: SsoConnectionEntity): SsoConnectionModel {
  return {
    id: connection.id,
    organizationId: connection.organizationId,
    protocol: connection.protocol,
    issuer: connection.issuer,
    clientId: connection.clientId,
    active: connection.secretCiphertext !== null,
    secretDeletedAt: connection.secretDeletedAt,
    createdAt: connection.createdAt,
  };
}

@Resolver(() => AuthPayloadModel)
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  private async payload(tokens: IssuedTokens): Promise<AuthPayloadModel> {
    const user = await this.users.findById(tokens.userId);
    return {
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshToken: tokens.refreshToken,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      tokenType: 'Bearer',
      user: toUser(user!),
    };
  }

  @Mutation(() => AuthPayloadModel, {
    description:
      'Signs in with e-mail and password. UNAUTHENTICATED with one message for every bad combination; RATE_LIMITED (with `retryAfterSeconds` and a `Retry-After` header) after repeated failures for the account or from the address, even with the right password, until the lock ends.',
  })
  @Public()
  @IdempotencyKeyIgnored(FRESH_CREDENTIALS)
  async login(@Args('email') email: string, @Args('password') password: string, @ClientAddress() clientAddress: string | null): Promise<AuthPayloadModel> {
    return this.payload(await this.auth.login(email, password, clientAddress));
  }

  @Mutation(() => AuthPayloadModel, {
    description: "Signs in with an assertion of the organization's IdP (a JWT signed with the connection's secret). SSO_CONNECTION_DELETED once offboarding deleted it.",
  })
  @Public()
  @IdempotencyKeyIgnored(FRESH_CREDENTIALS)
  async loginWithSso(@Args('connectionId', ID_ARG) connectionId: string, @Args('assertion') assertion: string): Promise<AuthPayloadModel> {
    return this.payload(await this.auth.loginWithSso(connectionId, assertion));
  }

  @Mutation(() => AuthPayloadModel, { description: 'Exchanges a refresh token (once) for a new access token and the next refresh token.' })
  @Public()
  @IdempotencyKeyIgnored(FRESH_CREDENTIALS)
  async refreshSession(@Args('refreshToken') refreshToken: string): Promise<AuthPayloadModel> {
    return this.payload(await this.auth.refresh(refreshToken));
  }

  @Mutation(() => Boolean, { description: "Ends the caller's session: its tokens stop working within seconds." })
  @AnyRole()
  logout(@CurrentCaller() caller: Caller): Promise<boolean> {
    return this.auth.logout(caller);
  }

  @Query(() => UserModel, { nullable: true, description: 'The signed-in user.' })
  @AnyRole()
  async me(@CurrentCaller() caller: Caller): Promise<UserModel | null> {
    const user = await this.users.findById(caller.actorId);
    return user ? toUser(user) : null;
  }
}

@Resolver(() => UserModel)
export class UsersResolver {
  constructor(
    private readonly users: UsersService,
    private readonly passwordSetups: PasswordSetupService,
  ) {}

  @Mutation(() => PasswordSetupModel, {
    description:
      'Issues a single-use, expiring password-setup link for a user: an invitation, a reset, or the way back after a win-back. The link goes to the user through the password_setup_issued event (for the notification service); it is never returned here, logged or stored in clear. A newer link replaces an unused older one.',
  })
  @AdminOnly()
  issuePasswordSetupLink(@Args('input') input: IssuePasswordSetupLinkInput, @CurrentCaller() caller: Caller): Promise<IssuedPasswordSetup> {
    return this.passwordSetups.issue({ userId: input.userId, purpose: input.purpose, actor: caller.actorId });
  }

  @Mutation(() => Boolean, {
    description:
      "Sets the user's password with the token of a password-setup link (the `token` in the link's #fragment). Works once, before the link expires; the user then signs in with login. Refused with BAD_USER_INPUT (extensions.reason INVALID, USED, REPLACED or EXPIRED) otherwise.",
  })
  @Public()
  async setPasswordWithSetupLink(
    @Args('token', { description: 'The token from the link.' }) token: string,
    @Args('password', { description: 'At least 12 characters.' }) password: string,
  ): Promise<boolean> {
    await this.passwordSetups.setPassword(token, password);
    return true;
  }

  @Mutation(() => UserModel, { description: 'Creates a staff admin, an organization collaborator or a partner user.' })
  @AdminOnly()
  async createUser(@Args('input') input: CreateUserInput): Promise<UserModel> {
    return toUser(
      await this.users.create({
        email: input.email,
        displayName: input.displayName,
        role: input.role,
        organizationId: input.organizationId ?? null,
        password: input.password ?? null,
      }),
    );
  }
}

@Resolver(() => SsoConnectionModel)
export class SsoConnectionsResolver {
  constructor(private readonly connections: SsoConnectionsService) {}

  @Mutation(() => SsoConnectionModel, { description: "Registers an organization's identity provider; the secret is stored encrypted." })
  @AdminOnly()
  async createSsoConnection(@Args('input') input: CreateSsoConnectionInput): Promise<SsoConnectionModel> {
    return toConnection(await this.connections.create(input));
  }
}

/** The organization fields identity contributes, and the staff's offboarding actions. */
@Resolver(() => OrganizationReference)
export class OrganizationIdentityResolver {
  constructor(
    private readonly portalAccessService: PortalAccessService,
    private readonly usersService: UsersService,
    private readonly connections: SsoConnectionsService,
    private readonly offboarding: AccountOffboardingService,
  ) {}

  /** Every organization field of this subgraph is reached through here: the scope is checked once. */
  @ResolveReference()
  @AnyRole()
  resolveReference(@Parent() reference: { id: string }, @CurrentCaller() caller: Caller): OrganizationReference {
    assertOrganizationAccess(caller, reference.id);
    return { id: reference.id };
  }

  @ResolveField(() => PortalAccessModel, { nullable: true, description: 'Null until the identity service has seen the organization.' })
  @AnyRole()
  portalAccess(@Parent() organization: OrganizationReference): Promise<PortalAccessEntity | null> {
    return this.portalAccessService.forOrganization(organization.id);
  }

  @ResolveField(() => UserConnection, { description: "The organization's user accounts, oldest first." })
  @AnyRole()
  async users(
    @Parent() organization: OrganizationReference,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    const connection = await this.usersService.listForOrganization(organization.id, pageRequest(first, after));
    return { ...connection, edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: toUser(edge.node) })) };
  }

  @ResolveField(() => [SsoConnectionModel], { description: "The organization's SSO connections, oldest first." })
  @AnyRole()
  async ssoConnections(@Parent() organization: OrganizationReference): Promise<SsoConnectionModel[]> {
    return (await this.connections.listForOrganization(organization.id)).map(toConnection);
  }

  @Mutation(() => IdentityActionResultModel, { description: "Ends the portal access of the organization's users and revokes their sessions." })
  @AdminOnly()
  disablePortalAccess(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.disablePortalAccess(tx, organizationId, null, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel)
  @AdminOnly()
  enablePortalAccess(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.enablePortalAccess(tx, organizationId, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel, { description: "Deactivates the organization's accounts (a vendor's partners' users too) and revokes their sessions." })
  @AdminOnly()
  deactivateAccounts(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.deactivateAccounts(tx, organizationId, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel, { description: 'Reactivates deactivated accounts whose data still exists (not masked).' })
  @AdminOnly()
  reactivateAccounts(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.reactivateAccounts(tx, organizationId, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel, { description: 'Deletes the SSO connection strings: every later SSO login fails.' })
  @AdminOnly()
  deleteSsoConnectionSecrets(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.deleteSsoConnectionSecrets(tx, organizationId, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel, { description: "Deletes the users' password credentials: password login fails." })
  @AdminOnly()
  deleteCredentials(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.deleteCredentials(tx, organizationId, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel, { description: 'Revokes every session and refresh token of the organization (and a vendor\'s partners).' })
  @AdminOnly()
  revokeSessions(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.revokeSessions(tx, organizationId, caller.actorId));
  }

  @Mutation(() => IdentityActionResultModel, {
    description: 'All of the SSO shutdown milestone at once: deactivate accounts, delete SSO connection strings and credentials, revoke sessions.',
  })
  @AdminOnly()
  shutDownSso(@Args('organizationId', ID_ARG) organizationId: string, @CurrentCaller() caller: Caller): Promise<IdentityActionResult> {
    return this.act(organizationId, (tx) => this.offboarding.shutDownSso(tx, organizationId, null, caller.actorId));
  }

  private act(organizationId: string, work: (tx: Transaction) => Promise<IdentityActionResult>): Promise<IdentityActionResult> {
    if (!UUID.test(organizationId)) throw new InvalidInputError('organizationId', 'is not an id');
    return this.offboarding.inTransaction(null, work);
  }
}
