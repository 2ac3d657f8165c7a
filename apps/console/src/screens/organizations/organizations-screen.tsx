import { type FormEvent, useState } from 'react';
import { Link } from '../../app';
import { CreateOrganizationDocument, type OrganizationStatus, OrganizationsDocument, type OrganizationType, VendorChoicesDocument } from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { Choice, Empty, ErrorMessage, Field, Loading, Pager, StatusBadge, usePager } from '../../components/ui';
import { formatDate, words } from '../../format';
import { navigate } from '../../router';

const PAGE_SIZE = 20;
const TYPES: OrganizationType[] = ['CUSTOMER', 'VENDOR', 'PARTNER'];
const STATUSES: OrganizationStatus[] = ['ACTIVE', 'OFFBOARDING', 'ARCHIVED'];

/**
 * Organizations: the type filter and "Show archived" are the API's; the name / tax-id search and
 * the status filter narrow the page shown (the API has no such filters yet).
 */
export function OrganizationsScreen() {
  const [type, setType] = useState<OrganizationType | ''>('');
  const [includeArchived, setIncludeArchived] = useState(false);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<OrganizationStatus | ''>('');
  const pager = usePager();
  const list = useQuery(OrganizationsDocument, { filter: { includeArchived, type: type || null }, first: PAGE_SIZE, after: pager.after });
  const resetPaging = pager.reset;

  const needle = search.trim().toLowerCase();
  const rows = (list.data?.organizations.edges ?? [])
    .map((edge) => edge.node)
    .filter((org) => (!needle || org.name.toLowerCase().includes(needle) || (org.taxId ?? '').toLowerCase().includes(needle)) && (!status || org.status === status));
  const total = list.data?.organizations.totalCount ?? 0;
  const page = pager.page;

  return (
    <>
      <div className="page-head">
        <h1>Organizations</h1>
        <NewOrganization />
      </div>
      <form className="filters" role="search" aria-label="Filter organizations" onSubmit={(event) => event.preventDefault()}>
        <Field label="Search name or tax ID (this page)">
          {(props) => <input {...props} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}
        </Field>
        <Choice
          label="Type"
          value={type}
          options={TYPES}
          empty="All types"
          onChange={(value) => {
            setType(value);
            resetPaging();
          }}
        />
        <Choice label="Status (this page)" value={status} options={STATUSES} empty="All statuses" onChange={setStatus} />
        <div className="field checkbox">
          <input
            id="show-archived"
            type="checkbox"
            checked={includeArchived}
            onChange={(e) => {
              setIncludeArchived(e.target.checked);
              resetPaging();
            }}
          />
          <label htmlFor="show-archived">Show archived</label>
        </div>
      </form>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? <Loading what="organizations" /> : null}
      {list.data ? (
        rows.length === 0 ? (
          <Empty>No organization matches.</Empty>
        ) : (
          <table>
            <caption>
              {total} organization{total === 1 ? '' : 's'}
              {includeArchived ? ' including archived ones' : ''}; page {page}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Tax ID</th>
                <th scope="col">Vendor</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((org) => (
                <tr key={org.id}>
                  <th scope="row">
                    <Link to={{ name: 'organization', id: org.id, tab: 'overview' }}>{org.name}</Link>
                  </th>
                  <td>{words(org.type)}</td>
                  <td>
                    <StatusBadge value={org.status} />
                  </td>
                  <td>{org.taxId ?? '—'}</td>
                  <td>{org.vendor ? <Link to={{ name: 'organization', id: org.vendor.id, tab: 'overview' }}>{org.vendor.name}</Link> : '—'}</td>
                  <td>{formatDate(org.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <Pager pager={pager} pageInfo={list.data?.organizations.pageInfo} label="Organization pages" />
    </>
  );
}

function NewOrganization() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [taxId, setTaxId] = useState('');
  const [type, setType] = useState<OrganizationType>('CUSTOMER');
  const [vendorId, setVendorId] = useState('');
  const [problems, setProblems] = useState<{ name?: string; vendor?: string }>({});
  const vendors = useQuery(VendorChoicesDocument, {}, { skip: !open || type !== 'PARTNER' });
  const create = useMutation(CreateOrganizationDocument);
  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        New organization
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = { name: name.trim() ? undefined : 'Enter the organization name.', vendor: type === 'PARTNER' && !vendorId ? 'Choose the vendor this partner belongs to.' : undefined };
    setProblems(found);
    if (found.name || found.vendor) return;
    const data = await create.run({ input: { name: name.trim(), taxId: taxId.trim() || null, type, vendorId: type === 'PARTNER' ? vendorId : null } });
    if (data) navigate({ name: 'organization', id: data.createOrganization.id, tab: 'overview' });
  };
  return (
    <form className="panel inline-form" aria-label="New organization" onSubmit={(event) => void submit(event)} noValidate>
      <Field label="Name" error={problems.name}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Tax ID (optional)">{(props) => <input {...props} value={taxId} onChange={(e) => setTaxId(e.target.value)} />}</Field>
      <Choice label="Type" value={type} options={TYPES} onChange={(value) => value && setType(value)} />
      {type === 'PARTNER' ? (
        <Field label="Vendor" error={problems.vendor}>
          {(props) => (
            <select {...props} value={vendorId} onChange={(e) => setVendorId(e.target.value)}>
              <option value="">Choose a vendor</option>
              {(vendors.data?.organizations.edges ?? []).map(({ node }) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      <ErrorMessage error={create.error ?? vendors.error} />
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={create.busy}>
          Create organization
        </button>
      </div>
    </form>
  );
}
