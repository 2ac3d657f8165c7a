import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection, Role, TextInput } from '@offboarding/platform';
import { PasswordSetupPurpose } from '../password-setup/password-setup.entity';
import { UserStatus } from '../users/user.entity';

registerEnumType(Role, {
  name: 'Role',
  description: 'ADMIN: staff, every organization. COLLABORATOR: reads their own organization. PARTNER_USER: reads their own partner organization.',
});
registerEnumType(UserStatus, { name: 'UserStatus' });

export const SsoProtocol = { OIDC: 'OIDC', SAML: 'SAML' } as const;
export type SsoProtocol = (typeof SsoProtocol)[keyof typeof SsoProtocol];
registerEnumType(SsoProtocol, { name: 'SsoProtocol' });

@ObjectType('User')
export class UserModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'Null for staff.' })
  organizationId!: string | null;

  @Field(() => Role)
  role!: Role;

  @Field(() => UserStatus)
  status!: UserStatus;

  @Field({ description: 'Masked (a keyed hash) once the organization was masked.' })
  email!: string;

  @Field()
  displayName!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deactivatedAt!: Date | null;
}

@ObjectType()
export class UserConnection extends Connection(UserModel, 'User') {}

@ObjectType('AuthPayload', { description: 'Send the access token as `Authorization: Bearer <accessToken>`; refresh before it expires.' })
export class AuthPayloadModel {
  @Field({ description: 'Short-lived JWT (ES256), verified by the gateway and every subgraph.' })
  accessToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;

  @Field({ description: 'Single use: refreshSession returns the next one. Presenting a used one revokes the session.' })
  refreshToken!: string;

  @Field()
  refreshTokenExpiresAt!: Date;

  @Field()
  tokenType!: string;

  @Field(() => UserModel)
  user!: UserModel;
}

@ObjectType('SsoConnection', { description: "An organization's identity provider. The secret is never returned." })
export class SsoConnectionModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizationId!: string;

  @Field(() => SsoProtocol)
  protocol!: SsoProtocol;

  @Field()
  issuer!: string;

  @Field()
  clientId!: string;

  @Field({ description: 'False once offboarding deleted the connection string: SSO login through it fails.' })
  active!: boolean;

  @Field(() => Date, { nullable: true })
  secretDeletedAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('IdentityActionResult', { description: 'What an identity offboarding action changed.' })
export class IdentityActionResultModel {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => [ID], { description: 'The organization and, when the action cascades from a vendor, its partner organizations.' })
  affectedOrganizationIds!: string[];

  @Field(() => Int)
  deactivatedUsers!: number;

  @Field(() => Int)
  reactivatedUsers!: number;

  @Field(() => Int)
  deletedConnections!: number;

  @Field(() => Int)
  deletedCredentials!: number;

  @Field(() => Int)
  revokedSessions!: number;

  @Field(() => Boolean, { nullable: true })
  portalAccessEnabled!: boolean | null;
}

@InputType()
export class CreateUserInput {
  @Field()
  email!: string;

  @Field()
  displayName!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => ID, { nullable: true, description: 'Required for COLLABORATOR (customer or vendor) and PARTNER_USER (partner organization).' })
  organizationId?: string | null;

  @Field(() => String, { nullable: true, description: 'At least 12 characters; omit for SSO-only users.' })
  password?: string | null;
}

@InputType()
export class CreateSsoConnectionInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => SsoProtocol)
  protocol!: SsoProtocol;

  @Field({ description: "The IdP's issuer; assertions must carry it as `iss`." })
  issuer!: string;

  @Field({ description: 'Our client id at the IdP; assertions must carry it as `aud`.' })
  clientId!: string;

  @Field({ description: 'The connection string / client secret (32+ characters). Stored encrypted, never returned.' })
  // The IdP signs assertions with these exact characters.
  @TextInput({ verbatim: true })
  secret!: string;
}

registerEnumType(PasswordSetupPurpose, {
  name: 'PasswordSetupPurpose',
  description: 'Why a password-setup link was issued (it decides nothing but the wording of the message that delivers it).',
  valuesMap: {
    INVITATION: { description: 'A new user sets their first password.' },
    RESET: { description: 'Staff reset a user’s password; their current sessions end once the new one is set.' },
    WIN_BACK: { description: 'A returning user of a reactivated organization sets a password again (theirs was deleted at offboarding).' },
  },
});

@ObjectType('PasswordSetup', {
  description: 'An issued password-setup link. The link itself is never returned: it reaches the user through the password_setup_issued event and the notification service.',
})
export class PasswordSetupModel {
  @Field(() => ID, { description: 'The link, without its secret; password_set names it when used.' })
  setupId!: string;

  @Field(() => ID, { description: 'The user the link is for.' })
  userId!: string;

  @Field(() => ID, { description: "The user's organization." })
  organizationId!: string;

  @Field(() => PasswordSetupPurpose, { description: 'Why it was issued.' })
  purpose!: PasswordSetupPurpose;

  @Field({ description: 'The link works once, until then (PASSWORD_SETUP_TTL_HOURS, default 72 hours). A newer link replaces it.' })
  expiresAt!: Date;
}

@InputType()
export class IssuePasswordSetupLinkInput {
  @Field(() => ID, { description: 'An active, unmasked user of an organization (staff accounts are not set up this way).' })
  userId!: string;

  @Field(() => PasswordSetupPurpose, { defaultValue: PasswordSetupPurpose.RESET, description: 'Why; RESET when left out.' })
  purpose!: PasswordSetupPurpose;
}
