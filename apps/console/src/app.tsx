import { type ReactNode, useEffect, useRef, useState } from 'react';
import { currentSession, onSessionChange, request, type Session, setSession } from './api/client';
import { SignOutDocument } from './api/generated';
import { hrefOf, navigate, type Route, useRoute } from './router';
import { OrganizationScreen } from './screens/organization/organization-screen';
import { OrganizationsScreen } from './screens/organizations/organizations-screen';
import { DataRetentionScreen } from './screens/settings/data-retention-screen';
import { PoliciesScreen } from './screens/settings/policies-screen';
import { SignInScreen } from './screens/sign-in/sign-in-screen';
import { SessionContext } from './session';

export function App() {
  const route = useRoute();
  const [session, setCurrent] = useState<Session | null>(currentSession);
  const [ended, setEnded] = useState<'expired' | 'signed-out' | null>(null);

  useEffect(
    () =>
      onSessionChange((next, reason) => {
        setCurrent(next);
        if (!next) setEnded(reason === 'expired' ? 'expired' : 'signed-out');
        else setEnded(null);
      }),
    [],
  );

  if (!session) return <SignInScreen ended={ended} />;
  const user = session.user;
  const staff = user.role === 'ADMIN';
  // A collaborator sees one organization: their own.
  if (!staff && (route.name !== 'organization' || route.id !== user.organizationId) && user.organizationId) {
    return <Redirect to={{ name: 'organization', id: user.organizationId, tab: 'overview' }} />;
  }
  if (route.name === 'sign-in') return <Redirect to={staff ? { name: 'organizations' } : { name: 'not-found' }} />;

  return (
    <SessionContext.Provider value={user}>
      <Layout route={route} staff={staff} name={user.displayName}>
        {screenFor(route)}
      </Layout>
    </SessionContext.Provider>
  );
}

function screenFor(route: Route): ReactNode {
  switch (route.name) {
    case 'organizations':
      return <OrganizationsScreen />;
    case 'organization':
      return <OrganizationScreen key={route.id} id={route.id} tab={route.tab} />;
    case 'settings-policies':
      return <PoliciesScreen />;
    case 'settings-retention':
      return <DataRetentionScreen />;
    case 'sign-in':
    case 'not-found':
      return (
        <>
          <h1>Page not found</h1>
          <p>
            <Link to={{ name: 'organizations' }}>Go to Organizations</Link>
          </p>
        </>
      );
  }
}

function Redirect({ to }: { to: Route }) {
  useEffect(() => navigate(to, { replace: true }));
  return null;
}

/** An in-app link: a real anchor (middle-click, copy link) that navigates without reloading. */
export function Link({ to, children, className, current }: { to: Route; children: ReactNode; className?: string; current?: boolean }) {
  return (
    <a
      href={hrefOf(to)}
      className={className}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function Layout({ route, staff, name, children }: { route: Route; staff: boolean; name: string; children: ReactNode }) {
  const main = useRef<HTMLElement>(null);
  // After a navigation, focus moves to the new page's content for keyboard and screen-reader users.
  const path = hrefOf(route);
  useEffect(() => main.current?.focus(), [path]);
  const signOut = () => {
    request(SignOutDocument, {}).then(
      () => setSession(null, 'signed-out'),
      () => setSession(null, 'signed-out'),
    );
  };
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Offboarding console</span>
        <nav aria-label="Main">
          {staff ? (
            <ul>
              <li>
                <Link to={{ name: 'organizations' }} current={route.name === 'organizations' || route.name === 'organization'}>
                  Organizations
                </Link>
              </li>
              <li>
                <Link to={{ name: 'settings-policies' }} current={route.name === 'settings-policies'}>
                  Settings: Policies
                </Link>
              </li>
              <li>
                <Link to={{ name: 'settings-retention' }} current={route.name === 'settings-retention'}>
                  Settings: Data Retention
                </Link>
              </li>
            </ul>
          ) : null}
        </nav>
        <span className="who">
          Signed in as <strong>{name}</strong>
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
