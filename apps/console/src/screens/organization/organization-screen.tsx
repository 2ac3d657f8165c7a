import { Link } from '../../app';
import { ArchiveOrganizationDocument, type OrganizationOverviewQuery, OrganizationOverviewDocument, UnarchiveOrganizationDocument } from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { CollectionCounts, ConfirmButton, Empty, ErrorMessage, Facts, Loading, Section, StatusBadge } from '../../components/ui';
import { formatDate, formatDateTime, words } from '../../format';
import type { OrganizationTab } from '../../router';
import { useIsStaff } from '../../session';
import { AuditTab } from './audit-tab';
import { DataTab } from './data-tab';
import { EntitlementsTab } from './entitlements-tab';
import { OffboardingTab } from './offboarding-tab';
import { OrganizationPoliciesTab } from './policies-tab';
import { ResourcesTab } from './resources-tab';
import { UsersTab } from './users-tab';

const TAB_NAMES: Record<OrganizationTab, string> = {
  overview: 'Overview',
  entitlements: 'Entitlements',
  resources: 'Resources',
  offboarding: 'Offboarding',
  data: 'Data',
  users: 'Users and SSO',
  audit: 'Audit trail',
  policies: 'Policies',
};
const STAFF_ONLY: OrganizationTab[] = ['policies'];

export type Organization = NonNullable<OrganizationOverviewQuery['organization']>;

export function OrganizationScreen({ id, tab }: { id: string; tab: OrganizationTab }) {
  const staff = useIsStaff();
  const overview = useQuery(OrganizationOverviewDocument, { id, staff });
  const org = overview.data?.organization;
  if (!org) {
    const problem = overview.error ?? (overview.data ? 'This organization does not exist, or you may not see it.' : null);
    return (
      <>
        <h1>Organization</h1>
        {problem ? <ErrorMessage error={problem} /> : <Loading what="the organization" />}
      </>
    );
  }
  const tabs = (Object.keys(TAB_NAMES) as OrganizationTab[]).filter((name) => staff || !STAFF_ONLY.includes(name));
  const changed = () => overview.reload();

  return (
    <>
      <div className="page-head">
        <div>
          {staff ? (
            <p className="breadcrumb">
              <Link to={{ name: 'organizations' }}>Organizations</Link> /
            </p>
          ) : null}
          <h1>{org.name}</h1>
          <p className="subtitle">
            {words(org.type)} · <StatusBadge value={org.status} />
            {staff ? null : ' · read-only view'}
          </p>
        </div>
      </div>
      <nav aria-label="Organization sections" className="tabs">
        <ul>
          {tabs.map((name) => (
            <li key={name}>
              <Link to={{ name: 'organization', id, tab: name }} current={name === tab}>
                {TAB_NAMES[name]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorMessage error={overview.error} />
      {tab === 'overview' ? <OverviewTab org={org} onChange={changed} /> : null}
      {tab === 'entitlements' ? <EntitlementsTab id={id} onChange={changed} /> : null}
      {tab === 'resources' ? <ResourcesTab id={id} /> : null}
      {tab === 'offboarding' ? <OffboardingTab id={id} onChange={changed} /> : null}
      {tab === 'data' ? <DataTab id={id} /> : null}
      {tab === 'users' ? <UsersTab id={id} /> : null}
      {tab === 'audit' ? <AuditTab id={id} /> : null}
      {tab === 'policies' && staff ? <OrganizationPoliciesTab id={id} /> : null}
    </>
  );
}

function OverviewTab({ org, onChange }: { org: Organization; onChange: () => void }) {
  const staff = useIsStaff();
  const archive = useMutation(ArchiveOrganizationDocument);
  const unarchive = useMutation(UnarchiveOrganizationDocument);
  const partners = org.partners?.edges.map((edge) => edge.node) ?? [];
  return (
    <>
      <Section
        title="Overview"
        actions={
          staff && org.status !== 'PURGED' ? (
            org.status === 'ARCHIVED' ? (
              <ConfirmButton
                label="Unarchive Organization"
                title={`Unarchive ${org.name}?`}
                confirmLabel="Unarchive"
                busy={unarchive.busy}
                error={unarchive.error}
                onConfirm={async () => {
                  const done = await unarchive.run({ id: org.id });
                  if (done) onChange();
                  return Boolean(done);
                }}
              >
                <p>
                  The organization becomes active again: it shows in the default list, accepts quotes and orders, and its collaborators' portal access is restored.
                  Cancelled entitlements stay cancelled until you reactivate them.
                </p>
              </ConfirmButton>
            ) : (
              <ConfirmButton
                label="Archive Organization"
                title={`Archive ${org.name}?`}
                confirmLabel="Archive"
                danger
                busy={archive.busy}
                error={archive.error}
                onConfirm={async () => {
                  const done = await archive.run({ id: org.id });
                  if (done) onChange();
                  return Boolean(done);
                }}
              >
                <p>Archiving is possible only when every entitlement is cancelled. An archived organization:</p>
                <ul>
                  <li>is hidden from the default Organizations list (use “Show archived”);</li>
                  <li>cannot accept new quotes or orders;</li>
                  <li>loses its collaborators' portal access, and their sessions end;</li>
                  <li>keeps all its data for the retention period.</li>
                </ul>
              </ConfirmButton>
            )
          ) : null
        }
      >
        <Facts
          items={[
            ['Status', <StatusBadge key="s" value={org.status} />],
            ['Type', words(org.type)],
            ['Tax ID', org.taxId ?? '—'],
            ['Created', formatDate(org.createdAt)],
            ['Cancelled', formatDate(org.cancelledAt)],
            ['Archived', formatDate(org.archivedAt)],
            ['Personal data masked', formatDate(org.piiMaskedAt)],
            ['Purged', formatDate(org.purgedAt)],
            ['Portal access', org.portalAccess ? (org.portalAccess.enabled ? 'Enabled' : `Disabled since ${formatDate(org.portalAccess.changedAt)}`) : 'Not set up'],
          ]}
        />
      </Section>
      {staff && org.type === 'PARTNER' ? (
        <Section title="Vendor">
          {org.vendor ? <Link to={{ name: 'organization', id: org.vendor.id, tab: 'overview' }}>{org.vendor.name}</Link> : <Empty>No vendor recorded.</Empty>}
        </Section>
      ) : null}
      {staff && org.type === 'VENDOR' ? (
        <Section title={`Partners (${org.partners?.totalCount ?? 0})`}>
          {partners.length === 0 ? (
            <Empty>This vendor has no partners.</Empty>
          ) : (
            <ul className="plain">
              {partners.map((partner) => (
                <li key={partner.id}>
                  <Link to={{ name: 'organization', id: partner.id, tab: 'overview' }}>{partner.name}</Link> <StatusBadge value={partner.status} />
                </li>
              ))}
            </ul>
          )}
        </Section>
      ) : null}
      {org.deletionCertificate ? (
        <Section title="Deletion certificate">
          <Facts
            items={[
              ['Issued', formatDateTime(org.deletionCertificate.issuedAt)],
              ['SHA-256', <code key="h">{org.deletionCertificate.sha256}</code>],
            ]}
          />
          <CollectionCounts caption="Rows deleted per service" rows={org.deletionCertificate.deleted} />
        </Section>
      ) : null}
    </>
  );
}
