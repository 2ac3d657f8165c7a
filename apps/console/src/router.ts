import { useEffect, useState } from 'react';

// A small path router under /console/ (the gateway answers index.html for every path below it,
// so a reload or a bookmarked page opens where it was).

export const BASE = '/console';

export type Route =
  | { name: 'sign-in' }
  | { name: 'organizations' }
  | { name: 'organization'; id: string; tab: OrganizationTab }
  | { name: 'settings-policies' }
  | { name: 'settings-retention' }
  | { name: 'not-found' };

export const ORGANIZATION_TABS = ['overview', 'entitlements', 'resources', 'offboarding', 'data', 'users', 'audit', 'policies'] as const;
export type OrganizationTab = (typeof ORGANIZATION_TABS)[number];

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'organizations' && parts.length === 1)) return { name: 'organizations' };
  if (parts[0] === 'sign-in' && parts.length === 1) return { name: 'sign-in' };
  if (parts[0] === 'organizations' && parts.length <= 3) {
    const tab = (parts[2] ?? 'overview') as OrganizationTab;
    if (ORGANIZATION_TABS.includes(tab)) return { name: 'organization', id: parts[1], tab };
  }
  if (parts[0] === 'settings' && parts[1] === 'policies' && parts.length === 2) return { name: 'settings-policies' };
  if (parts[0] === 'settings' && parts[1] === 'data-retention' && parts.length === 2) return { name: 'settings-retention' };
  return { name: 'not-found' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'sign-in':
      return `${BASE}/sign-in`;
    case 'organizations':
      return `${BASE}/organizations`;
    case 'organization':
      return `${BASE}/organizations/${encodeURIComponent(route.id)}/${route.tab}`;
    case 'settings-policies':
      return `${BASE}/settings/policies`;
    case 'settings-retention':
      return `${BASE}/settings/data-retention`;
    case 'not-found':
      return `${BASE}/`;
  }
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  listeners.forEach((listener) => listener());
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    listeners.add(update);
    // A child's effect (a redirect) may have navigated before this subscription existed.
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return route;
}
