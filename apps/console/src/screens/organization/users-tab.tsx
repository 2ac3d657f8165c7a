import { type FormEvent, useState } from 'react';
import {
  CreateUserDocument,
  DeactivateAccountsDocument,
  DeleteCredentialsDocument,
  DeleteSsoConnectionSecretsDocument,
  type IdentityActionFieldsFragment,
  OrganizationUsersDocument,
  ReactivateAccountsDocument,
  RevokeSessionsDocument,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { ConfirmButton, Empty, ErrorMessage, Field, Loading, Notice, Section, StatusBadge } from '../../components/ui';
import { formatDate } from '../../format';
import { useIsStaff } from '../../session';

function summary(result: IdentityActionFieldsFragment): string {
  const parts = [
    [result.deactivatedUsers, 'account(s) deactivated'],
    [result.reactivatedUsers, 'account(s) reactivated'],
    [result.deletedConnections, 'SSO secret(s) deleted'],
    [result.deletedCredentials, 'password(s) deleted'],
    [result.revokedSessions, 'session(s) revoked'],
  ] as const;
  const said = parts.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  return said.length > 0 ? `Done: ${said.join(', ')}.` : 'Done: nothing needed changing.';
}

/** Users and SSO: the accounts and connections, and the identity offboarding actions. */
export function UsersTab({ id }: { id: string }) {
  const staff = useIsStaff();
  const query = useQuery(OrganizationUsersDocument, { id });
  const [notice, setNotice] = useState<string | null>(null);
  const org = query.data?.organization;
  const done = (result: IdentityActionFieldsFragment) => {
    setNotice(summary(result));
    query.reload();
  };
  return (
    <>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={query.error} />
      <Section title="Users" actions={staff ? <AddCollaborator organizationId={id} onDone={() => query.reload()} /> : null}>
        {!org ? (
          <Loading what="users" />
        ) : org.users.edges.length === 0 ? (
          <Empty>No user accounts.</Empty>
        ) : (
          <table>
            <caption>{org.users.totalCount} user accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {org.users.edges.map(({ node }) => (
                <tr key={node.id}>
                  <th scope="row">{node.displayName}</th>
                  <td>{node.email}</td>
                  <td>{node.role}</td>
                  <td>
                    <StatusBadge value={node.status} />
                  </td>
                  <td>{formatDate(node.deactivatedAt ?? node.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="SSO connections">
        {org && org.ssoConnections.length === 0 ? <Empty>No SSO connections.</Empty> : null}
        {org && org.ssoConnections.length > 0 ? (
          <ul className="plain">
            {org.ssoConnections.map((connection) => (
              <li key={connection.id}>
                {connection.protocol} {connection.issuer} (client {connection.clientId}) <StatusBadge value={connection.active ? 'ACTIVE' : 'INACTIVE'} />
                {connection.secretDeletedAt ? ` secret deleted ${formatDate(connection.secretDeletedAt)}: every SSO login fails` : ''}
              </li>
            ))}
          </ul>
        ) : null}
        {org?.portalAccess ? <p>Portal access: {org.portalAccess.enabled ? 'enabled' : `disabled since ${formatDate(org.portalAccess.changedAt)}`}.</p> : null}
      </Section>
      {staff ? <IdentityActions id={id} onDone={done} /> : null}
    </>
  );
}

function IdentityActions({ id, onDone }: { id: string; onDone: (result: IdentityActionFieldsFragment) => void }) {
  const deactivate = useMutation(DeactivateAccountsDocument);
  const reactivate = useMutation(ReactivateAccountsDocument);
  const deleteSecrets = useMutation(DeleteSsoConnectionSecretsDocument);
  const revoke = useMutation(RevokeSessionsDocument);
  const deleteCredentials = useMutation(DeleteCredentialsDocument);
  const run = async <R,>(action: { run: (v: { organizationId: string }) => Promise<R | null> }, pick: (data: R) => IdentityActionFieldsFragment) => {
    const data = await action.run({ organizationId: id });
    if (data) onDone(pick(data));
    return Boolean(data);
  };
  return (
    <Section title="Identity actions">
      <div className="actions wrap">
        <ConfirmButton label="Deactivate accounts" title="Deactivate every account?" confirmLabel="Deactivate" danger busy={deactivate.busy} error={deactivate.error} onConfirm={() => run(deactivate, (d) => d.deactivateAccounts)}>
          <p>Every user of this organization (and, for a vendor, of its partners) can no longer sign in; their sessions end.</p>
        </ConfirmButton>
        <ConfirmButton label="Reactivate accounts" title="Reactivate the accounts?" confirmLabel="Reactivate" busy={reactivate.busy} error={reactivate.error} onConfirm={() => run(reactivate, (d) => d.reactivateAccounts)}>
          <p>Accounts whose personal data was not masked may sign in again.</p>
        </ConfirmButton>
        <ConfirmButton label="Delete SSO secrets" title="Delete the SSO connection secrets?" confirmLabel="Delete secrets" danger busy={deleteSecrets.busy} error={deleteSecrets.error} onConfirm={() => run(deleteSecrets, (d) => d.deleteSsoConnectionSecrets)}>
          <p>The connection strings are deleted: every later SSO login for this organization fails. This cannot be undone; a new connection must be set up.</p>
        </ConfirmButton>
        <ConfirmButton label="Revoke sessions" title="Revoke every session?" confirmLabel="Revoke" danger busy={revoke.busy} error={revoke.error} onConfirm={() => run(revoke, (d) => d.revokeSessions)}>
          <p>Every signed-in user of this organization is signed out within seconds, everywhere.</p>
        </ConfirmButton>
        <ConfirmButton label="Delete passwords" title="Delete every password?" confirmLabel="Delete passwords" danger busy={deleteCredentials.busy} error={deleteCredentials.error} onConfirm={() => run(deleteCredentials, (d) => d.deleteCredentials)}>
          <p>Password login fails for every user of this organization. After this and the SSO shutdown, only staff can reach the organization.</p>
        </ConfirmButton>
      </div>
      <p className="hint">Password-setup links for returning users are not offered by the API yet.</p>
    </Section>
  );
}

function AddCollaborator({ organizationId, onDone }: { organizationId: string; onDone: () => void }) {
  const create = useMutation(CreateUserDocument);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<{ name?: string; email?: string; password?: string }>({});
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Add collaborator
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = {
      name: name.trim() ? undefined : 'Enter the name.',
      email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? undefined : 'Enter a valid e-mail address.',
      password: password.length >= 12 ? undefined : 'At least 12 characters.',
    };
    setProblems(found);
    if (found.name || found.email || found.password) return;
    if (await create.run({ input: { organizationId, role: 'COLLABORATOR', displayName: name.trim(), email: email.trim(), password } })) {
      setOpen(false);
      onDone();
    }
  };
  return (
    <form className="inline-form" aria-label="Add collaborator" onSubmit={(event) => void submit(event)} noValidate>
      <Field label="Name" error={problems.name}>
        {(props) => <input {...props} value={name} onChange={(event) => setName(event.target.value)} />}
      </Field>
      <Field label="E-mail" error={problems.email}>
        {(props) => <input {...props} type="email" value={email} onChange={(event) => setEmail(event.target.value)} />}
      </Field>
      <Field label="Initial password" error={problems.password}>
        {(props) => <input {...props} type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />}
      </Field>
      <ErrorMessage error={create.error} />
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={create.busy}>
          Add
        </button>
      </div>
    </form>
  );
}
