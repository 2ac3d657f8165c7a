import { useState } from 'react';
import {
  AffiliateResourcesDocument,
  CancelServiceRequestDocument,
  CompleteServiceRequestDocument,
  EducationResourcesDocument,
  type EntitlementClass,
  EnvironmentResourcesDocument,
  type EnvironmentResourcesQuery,
  ExportEnvironmentDataDocument,
  OrderResourcesDocument,
  PluginResourcesDocument,
  ServiceResourcesDocument,
  TearDownEnvironmentDocument,
  WaiveEnvironmentExportDocument,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/hooks';
import { ConfirmButton, Empty, ErrorMessage, Field, Loading, Notice, Section, StatusBadge } from '../../components/ui';
import { CLASS_NAMES, ENTITLEMENT_CLASSES, formatBytes, formatDate, formatMoney } from '../../format';
import { useIsStaff } from '../../session';

/** Resources per entitlement class; each class is one operation, within the gateway's limits. */
export function ResourcesTab({ id }: { id: string }) {
  const [klass, setKlass] = useState<EntitlementClass>('PLG');
  return (
    <>
      <nav aria-label="Resource classes" className="subtabs">
        <ul>
          {ENTITLEMENT_CLASSES.map((value) => (
            <li key={value}>
              <button type="button" aria-pressed={value === klass} onClick={() => setKlass(value)}>
                {CLASS_NAMES[value]}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {klass === 'PLG' ? <Plugins id={id} /> : null}
      {klass === 'ENV' ? <Environments id={id} /> : null}
      {klass === 'SVC' ? <Services id={id} /> : null}
      {klass === 'ORD' ? <Orders id={id} /> : null}
      {klass === 'AFL' ? <Affiliates id={id} /> : null}
      {klass === 'EDU' ? <Education id={id} /> : null}
    </>
  );
}

function Plugins({ id }: { id: string }) {
  const query = useQuery(PluginResourcesDocument, { id });
  const licenses = query.data?.organization?.licenses;
  return (
    <Section title="Plugin licences and site activations">
      <ErrorMessage error={query.error} />
      {!licenses ? (
        <Loading what="licences" />
      ) : licenses.length === 0 ? (
        <Empty>No plugin licences.</Empty>
      ) : (
        licenses.map((license) => (
          <article key={license.id} className="card" aria-label={`Licence ${license.product}`}>
            <h3>
              {license.product} <StatusBadge value={license.status} />
            </h3>
            <p>
              Key <code>{license.licenseKey}</code> · issued {formatDate(license.issuedAt)}
              {license.cancelledAt ? ` · cancelled ${formatDate(license.cancelledAt)}: downloads revoked, sites keep their installed version without updates` : ''}
            </p>
            {license.siteActivations.length === 0 ? (
              <Empty>No site activations.</Empty>
            ) : (
              <table>
                <caption>Site activations</caption>
                <thead>
                  <tr>
                    <th scope="col">Site</th>
                    <th scope="col">Installed version</th>
                    <th scope="col">Last check-in</th>
                  </tr>
                </thead>
                <tbody>
                  {license.siteActivations.map((site) => (
                    <tr key={site.id}>
                      <td>{site.siteUrl}</td>
                      <td>{site.installedVersion}</td>
                      <td>{formatDate(site.lastCheckInAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </article>
        ))
      )}
    </Section>
  );
}

type Environment = NonNullable<EnvironmentResourcesQuery['organization']>['environments'][number];

function Environments({ id }: { id: string }) {
  const query = useQuery(EnvironmentResourcesDocument, { id });
  const environments = query.data?.organization?.environments;
  return (
    <Section title="Hosted environments">
      <ErrorMessage error={query.error} />
      {!environments ? (
        <Loading what="environments" />
      ) : environments.length === 0 ? (
        <Empty>No hosted environments.</Empty>
      ) : (
        environments.map((environment) => <EnvironmentCard key={environment.id} environment={environment} onChange={query.reload} />)
      )}
    </Section>
  );
}

function EnvironmentCard({ environment: env, onChange }: { environment: Environment; onChange: () => void }) {
  const staff = useIsStaff();
  const exportData = useMutation(ExportEnvironmentDataDocument);
  const waive = useMutation(WaiveEnvironmentExportDocument);
  const tearDown = useMutation(TearDownEnvironmentDocument);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const live = env.status !== 'TORN_DOWN';
  return (
    <article className="card" aria-label={`Environment ${env.name}`}>
      <h3>
        {env.name} <StatusBadge value={env.status} />
      </h3>
      <p>
        {env.url} · {env.region}
        {env.deprovisionedAt ? ` · deprovisioned ${formatDate(env.deprovisionedAt)}` : ''}
        {env.teardownDueAt ? ` · teardown due ${formatDate(env.teardownDueAt)}` : ''}
        {env.tornDownAt ? ` · torn down ${formatDate(env.tornDownAt)}` : ''}
      </p>
      <p>
        {env.teardownCleared
          ? env.exportWaivedAt
            ? `Export waived ${formatDate(env.exportWaivedAt)}: ${env.exportWaiverReason ?? ''}`
            : 'The data is exported: teardown may go ahead.'
          : 'Teardown is blocked until the data is exported or an admin waives the export.'}
      </p>
      {env.exports.length > 0 ? (
        <table>
          <caption>Exports</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {env.exports.map((item) => (
              <tr key={item.id}>
                <td>{formatDate(item.createdAt)}</td>
                <td>{formatBytes(item.sizeBytes)}</td>
                <td>
                  <code>{item.sha256.slice(0, 16)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={exportData.error} />
      {staff && live ? (
        <div className="actions wrap">
          <button
            type="button"
            disabled={exportData.busy}
            onClick={() =>
              void exportData.run({ id: env.id }).then((done) => {
                if (done) {
                  setNotice('The environment data is exported.');
                  onChange();
                }
              })
            }
          >
            Export Data
          </button>
          {!env.teardownCleared ? (
            <ConfirmButton
              label="Waive export"
              title={`Waive the export of ${env.name}?`}
              confirmLabel="Waive export"
              danger
              busy={waive.busy}
              error={waive.error}
              canConfirm={reason.trim() !== ''}
              onConfirm={async () => {
                const done = await waive.run({ id: env.id, reason: reason.trim() });
                if (done) {
                  setNotice('The export is waived.');
                  onChange();
                }
                return Boolean(done);
              }}
            >
              <p>The environment may then be torn down without its data having been exported. The reason is recorded.</p>
              <Field label="Reason" hint="Required.">
                {(props) => <input {...props} required value={reason} onChange={(event) => setReason(event.target.value)} />}
              </Field>
            </ConfirmButton>
          ) : null}
          <ConfirmButton
            label="Tear down"
            title={`Tear down ${env.name}?`}
            confirmLabel="Tear down"
            danger
            disabled={!env.teardownCleared}
            busy={tearDown.busy}
            error={tearDown.error}
            onConfirm={async () => {
              const done = await tearDown.run({ id: env.id });
              if (done) {
                setNotice('The environment is torn down.');
                onChange();
              }
              return Boolean(done);
            }}
          >
            <p>The server and everything on it are destroyed. This cannot be undone; exports already made are kept.</p>
          </ConfirmButton>
        </div>
      ) : null}
    </article>
  );
}

function Services({ id }: { id: string }) {
  const staff = useIsStaff();
  const query = useQuery(ServiceResourcesDocument, { id, staff });
  const complete = useMutation(CompleteServiceRequestDocument);
  const cancel = useMutation(CancelServiceRequestDocument);
  const org = query.data?.organization;
  const act = async (action: typeof complete | typeof cancel, requestId: string) => {
    if (await action.run({ id: requestId })) query.reload();
  };
  const inReview = (query.data?.serviceRequestReviewQueue?.edges ?? []).map((edge) => edge.node).filter((request) => request.organizationId === id);
  return (
    <>
      <Section title="Services">
        <ErrorMessage error={query.error} />
        {!org ? (
          <Loading what="services" />
        ) : org.services.length === 0 ? (
          <Empty>No services.</Empty>
        ) : (
          org.services.map((service) => (
            <article key={service.id} className="card" aria-label={`Service ${service.name}`}>
              <h3>
                {service.name} <StatusBadge value={service.status} />
              </h3>
              {service.requests.length === 0 ? (
                <Empty>No service requests.</Empty>
              ) : (
                <ul className="plain">
                  {service.requests.map((request) => (
                    <li key={request.id}>
                      {request.subject} <StatusBadge value={request.status} /> opened {formatDate(request.createdAt)}
                    </li>
                  ))}
                </ul>
              )}
            </article>
          ))
        )}
      </Section>
      {staff ? (
        <Section title="Review queue">
          <ErrorMessage error={complete.error ?? cancel.error} />
          {inReview.length === 0 ? (
            <Empty>No open requests of this organization wait for review.</Empty>
          ) : (
            <table>
              <caption>Requests of cancelled services: complete or cancel each</caption>
              <thead>
                <tr>
                  <th scope="col">Subject</th>
                  <th scope="col">In review since</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {inReview.map((request) => (
                  <tr key={request.id}>
                    <th scope="row">{request.subject}</th>
                    <td>{formatDate(request.reviewSince)}</td>
                    <td className="actions">
                      <button type="button" onClick={() => void act(complete, request.id)}>
                        Complete<span className="visually-hidden"> {request.subject}</span>
                      </button>
                      <button type="button" onClick={() => void act(cancel, request.id)}>
                        Cancel request<span className="visually-hidden"> {request.subject}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      ) : null}
      <Section title="Contracts and credit balances">
        {org ? (
          <>
            {org.contracts.length === 0 ? (
              <Empty>No contracts.</Empty>
            ) : (
              <ul className="plain">
                {org.contracts.map((contract) => (
                  <li key={contract.id}>
                    Contract {contract.reference} <StatusBadge value={contract.status} /> from {formatDate(contract.startsAt)}
                    {contract.cancelledAt ? `, cancelled ${formatDate(contract.cancelledAt)}` : ''}
                  </li>
                ))}
              </ul>
            )}
            {org.creditBalances.length === 0 ? (
              <Empty>No credit balances.</Empty>
            ) : (
              <ul className="plain">
                {org.creditBalances.map((balance) => (
                  <li key={balance.id}>
                    {balance.credits} credits <StatusBadge value={balance.status} />
                    {balance.frozenAt ? ` frozen ${formatDate(balance.frozenAt)}: no new consumption` : ''}
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : null}
      </Section>
    </>
  );
}

function Affiliates({ id }: { id: string }) {
  const staff = useIsStaff();
  const query = useQuery(AffiliateResourcesDocument, { id, staff });
  const org = query.data?.organization;
  return (
    <Section title="Campaigns, links and partner relationships">
      <ErrorMessage error={query.error} />
      {!org ? (
        <Loading what="campaigns" />
      ) : (
        <>
          {staff ? (
            (org.campaigns ?? []).length === 0 ? (
              <Empty>No campaigns.</Empty>
            ) : (
              (org.campaigns ?? []).map((campaign) => (
                <article key={campaign.id} className="card" aria-label={`Campaign ${campaign.name}`}>
                  <h3>
                    {campaign.name} <StatusBadge value={campaign.status} />
                  </h3>
                  {campaign.invalidatedAt ? <p>Invalidated {formatDate(campaign.invalidatedAt)}: it can no longer be accessed or edited.</p> : null}
                  <ul className="plain">
                    {campaign.trackingLinks.map((link) => (
                      <li key={link.id}>
                        Link <code>{link.code}</code> → {link.targetUrl} <StatusBadge value={link.status} />
                      </li>
                    ))}
                  </ul>
                </article>
              ))
            )
          ) : null}
          {org.partnerRelationships.length === 0 ? (
            <Empty>No partner relationships.</Empty>
          ) : (
            <ul className="plain">
              {org.partnerRelationships.map((relationship) => (
                <li key={relationship.id}>
                  {relationship.programme} <StatusBadge value={relationship.status} />
                  {relationship.endedAt ? ` ended ${formatDate(relationship.endedAt)}` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}

function Education({ id }: { id: string }) {
  const query = useQuery(EducationResourcesDocument, { id });
  const org = query.data?.organization;
  return (
    <Section title="Seats and enrolments">
      <ErrorMessage error={query.error} />
      {!org ? (
        <Loading what="seats" />
      ) : (
        <>
          <p>
            {org.courseSeats.length} seats: {org.courseSeats.filter((seat) => seat.status === 'RELEASED').length} released
          </p>
          {org.enrollments.length === 0 ? (
            <Empty>No enrolments.</Empty>
          ) : (
            <ul className="plain">
              {org.enrollments.map((enrollment) => (
                <li key={enrollment.id}>
                  {enrollment.learnerRef} in {enrollment.course} <StatusBadge value={enrollment.status} />
                  {enrollment.closedAt ? ` closed ${formatDate(enrollment.closedAt)}` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}

function Orders({ id }: { id: string }) {
  const query = useQuery(OrderResourcesDocument, { id });
  const org = query.data?.organization;
  return (
    <Section title="Orders and fulfilments">
      <ErrorMessage error={query.error} />
      {!org ? (
        <Loading what="orders" />
      ) : (
        <>
          {org.fulfilments.length === 0 ? (
            <Empty>No fulfilments.</Empty>
          ) : (
            <ul className="plain">
              {org.fulfilments.map((fulfilment) => (
                <li key={fulfilment.id}>
                  {fulfilment.product} <StatusBadge value={fulfilment.status} />
                  {fulfilment.closedAt ? ` closed ${formatDate(fulfilment.closedAt)}` : ''}
                </li>
              ))}
            </ul>
          )}
          {org.orders.edges.length === 0 ? (
            <Empty>No orders.</Empty>
          ) : (
            <ul className="plain">
              {org.orders.edges.map(({ node }) => (
                <li key={node.id}>
                  Order {node.reference}: {node.description}, {formatMoney(node.amountMinor, node.currency)} <StatusBadge value={node.status} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
