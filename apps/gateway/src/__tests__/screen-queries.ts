// The queries a front end sends for real pages: the organization-detail page, and one request per
// screen of an admin console walking the two source documents (the customer-offboarding recipe,
// written as admin screens, and the vendor-offboarding process). The query limits must accept
// every one of them with their defaults.

export interface ScreenQuery {
  screen: string;
  query: string;
  variables: Record<string, unknown>;
}

const ORG = { id: '0b9d6a4e-3f1c-4d8a-9e2b-7c5f1a2d3e4f' };

/** Organization, entitlements, every class's resources, timeline, users and recent audit entries, in one request. */
export const ORGANIZATION_DETAIL: ScreenQuery = {
  screen: 'organization detail',
  variables: ORG,
  query: /* GraphQL */ `
    query OrganizationDetail($id: ID!) {
      organization(id: $id) {
        id name taxId type status vendorId createdAt cancelledAt archivedAt purgedAt piiMaskedAt updatedAt
        vendor { id name status }
        cancellationPolicy { scope portalVisibilityDays dataRetentionDays allowReactivation reactivationWindowDays refundEligible gracePeriodDays }
        offboarding { id status reason dayZero pointOfContact notes startedAt entitlementsCancelledAt closedAt }
        entitlements(first: 50) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { id class product status grantedAt orderReference prepaidUntil suspendedAt graceEndsAt cancelledAt cancellationReason reactivatableUntil portalVisibleUntil } }
        }
        licenses { id entitlementId product licenseKey status cancelledAt siteActivations { id siteUrl installedVersion lastCheckInAt } }
        environments { id entitlementId name url region status teardownDueAt teardownCleared exportWaivedAt exports { id createdAt sizeBytes sha256 } }
        services { id entitlementId name status cancelledAt requests { id subject status reviewSince } }
        contracts { id entitlementId serviceId reference status cancelledAt }
        creditBalances { id entitlementId credits status frozenAt }
        campaigns { id entitlementId name status invalidatedAt trackingLinks { id code status disabledAt } }
        partnerRelationships { id entitlementId programme status endedAt }
        courseSeats { id entitlementId status releasedAt }
        enrollments { id entitlementId learnerRef course status closedAt }
        fulfilments { id entitlementId product status closedAt }
        timeline { dayZero exportWindowClosesAt purgeEligibleAt milestones { milestone status dueAt dueRule owner completedAt blockedReason } }
        retention { id status exportWindowClosesAt purgeEligibleAt retainedUntil onLegalHold }
        portalAccess { enabled changedAt }
        users(first: 50) { totalCount edges { node { id email displayName role status deactivatedAt } } }
        ssoConnections { id protocol issuer clientId active secretDeletedAt }
        dataExports { id status requestedAt readyAt sizeBytes downloadUrl }
        auditTrail(first: 20) { totalCount edges { node { sequence eventType source occurredAt details } } }
        auditTrailIntact
      }
    }`,
};

const ENTITLEMENT_FIELDS = 'id class product status grantedAt orderReference prepaidAmountMinor currency prepaidFrom prepaidUntil suspendedAt suspensionReason graceEndsAt';

export const SCREENS: ScreenQuery[] = [
  ORGANIZATION_DETAIL,
  {
    screen: 'customer recipe A1 / E12: organizations list with the "Show archived" filter',
    variables: { first: 50, includeArchived: true },
    query: /* GraphQL */ `
      query Organizations($first: Int, $after: String, $includeArchived: Boolean!) {
        organizations(first: $first, after: $after, filter: { includeArchived: $includeArchived }) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { id name taxId type status archivedAt cancelledAt vendor { id name } offboarding { status dayZero } retention { status purgeEligibleAt } } }
        }
      }`,
  },
  {
    screen: 'customer recipe A2–A3: entitlements tab with the downstream resources and remaining credit or prepaid time',
    variables: { ...ORG, first: 100 },
    query: /* GraphQL */ `
      query EntitlementsTab($id: ID!, $first: Int) {
        organization(id: $id) {
          id name status
          entitlements(first: $first) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { node { ${ENTITLEMENT_FIELDS} cancelledAt cancellationReason } }
          }
          licenses { id entitlementId status }
          environments { id entitlementId status }
          services { id entitlementId status }
          contracts { id entitlementId status }
          creditBalances { id entitlementId credits status }
          campaigns { id entitlementId status }
          partnerRelationships { id entitlementId status }
          courseSeats { id entitlementId status }
          fulfilments { id entitlementId status }
        }
      }`,
  },
  {
    screen: 'customer recipe B4–B5: cancel an entitlement, with the cancellation policy that will apply',
    variables: { entitlementId: ORG.id, organizationId: ORG.id },
    query: /* GraphQL */ `
      query CancelEntitlementDialog($entitlementId: ID!, $organizationId: ID!) {
        entitlement(id: $entitlementId) {
          ${ENTITLEMENT_FIELDS}
          cancelledAt cancellationReason cancellationNotes cancelledBy reactivatableUntil portalVisibleUntil reactivatedAt
          policySnapshot { portalVisibilityDays dataRetentionDays allowReactivation reactivationWindowDays refundEligible gracePeriodDays }
          refundQuote { amountMinor currency unusedDays prepaidDays quotedAt }
          organization { id name status }
        }
        cancellationPolicy(organizationId: $organizationId) {
          scope organizationId portalVisibilityDays dataRetentionDays allowReactivation reactivationWindowDays refundEligible gracePeriodDays
        }
      }`,
  },
  {
    screen: 'customer recipe C7: downstream resources per class and the provisioning policy',
    variables: ORG,
    query: /* GraphQL */ `
      query DownstreamResources($id: ID!) {
        effectiveProvisioningPolicies(organizationId: $id) { class deprovisionOnCancel source updatedAt }
        organization(id: $id) {
          id name
          licenses { id entitlementId product licenseKey status issuedAt cancelledAt siteActivations { id siteUrl installedVersion lastCheckInAt } }
          environments { id entitlementId name status deprovisionedAt teardownDueAt teardownBlockedAt teardownCleared }
          services { id entitlementId name status cancelledAt requests { id subject status reviewSince resolvedAt } }
          contracts { id entitlementId serviceId reference status startsAt cancelledAt }
          creditBalances { id entitlementId credits status frozenAt }
          campaigns { id entitlementId name status invalidatedAt trackingLinks { id code targetUrl status disabledReason disabledAt } }
          partnerRelationships { id entitlementId programme contactName contactEmail status endedAt }
          courseSeats { id entitlementId status releasedAt }
          enrollments { id entitlementId seatId learnerRef course status enrolledAt closedAt }
          fulfilments { id entitlementId product status closedAt }
        }
      }`,
  },
  {
    screen: 'customer recipe C8: environment record, export before teardown',
    variables: ORG,
    query: /* GraphQL */ `
      query EnvironmentRecords($id: ID!) {
        organization(id: $id) {
          id name
          environments {
            id entitlementId name url region status contactName contactEmail deprovisionedAt teardownDueAt teardownBlockedAt
            exportWaivedAt exportWaiverReason tornDownAt createdAt teardownCleared
            exports { id environmentId storageKey sizeBytes sha256 createdBy createdAt }
          }
        }
      }`,
  },
  {
    screen: 'customer recipe C7 (SVC): open service requests waiting for admin review',
    variables: { first: 50 },
    query: /* GraphQL */ `
      query ServiceRequestReview($first: Int, $after: String) {
        serviceRequestReviewQueue(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { id organizationId serviceId subject status reviewSince createdAt } }
        }
      }`,
  },
  {
    screen: 'customer recipe D9–D10: data retention and data exports',
    variables: ORG,
    query: /* GraphQL */ `
      query RetentionAndExports($id: ID!) {
        organization(id: $id) {
          id name status
          retention {
            id origin status organizationType dayZero openedAt archivedAt exportWindowClosesAt purgeEligibleAt retainedUntil onLegalHold
            legalHolds { id reason placedBy placedAt releasedAt }
            extensions { kind previousUntil until reason actor createdAt }
          }
          dataExports { id status requestedBy requestedAt readyAt sizeBytes sha256 error downloadUrl collections { service collection rows } }
          orders(first: 20) { totalCount edges { node { id reference status createdAt } } }
          invoices(first: 20) { totalCount edges { node { id number status issuedAt } } }
          contracts { id reference status }
          documents(first: 20) { totalCount edges { node { id title kind sizeBytes createdAt } } }
        }
      }`,
  },
  {
    screen: 'customer recipe E11 / F13: archive, unarchive and reactivate',
    variables: { ...ORG, first: 100 },
    query: /* GraphQL */ `
      query ArchiveAndReactivate($id: ID!, $first: Int) {
        organization(id: $id) {
          id name status archivedAt cancelledAt piiMaskedAt
          portalAccess { enabled changedAt }
          entitlements(first: $first) {
            totalCount
            edges { node { id class product status cancelledAt cancellationReason reactivatableUntil reactivatedAt policySnapshot { allowReactivation reactivationWindowDays } } }
          }
          quotes(first: 10) { totalCount edges { node { id reference status validUntil } } }
          orders(first: 10) { totalCount edges { node { id reference status } } }
        }
      }`,
  },
  {
    screen: 'customer recipe G14–G15: purge queue under Settings > Data Retention',
    variables: { first: 50 },
    query: /* GraphQL */ `
      query PurgeQueue($first: Int, $after: String) {
        purgeQueue(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges {
            node {
              organizationId caseId organizationType status purgeEligibleAt lastDecisionChange lastDecisionChangeBy onLegalHold
              purgeRequest { requestId status approvedBy approvedAt completedAt }
              deletionPreview { service collection rows }
            }
          }
        }
      }`,
  },
  {
    screen: 'customer recipe G14: tombstone and deletion certificate',
    variables: ORG,
    query: /* GraphQL */ `
      query Tombstone($id: ID!) {
        organization(id: $id) { id name taxId status createdAt cancelledAt archivedAt purgedAt }
        deletionCertificate(organizationId: $id) { id requestId issuedAt sha256 deleted { service collection rows } }
        verifyAuditTrail(organizationId: $id) { intact checkedEntries firstBrokenSequence reason }
      }`,
  },
  {
    screen: 'vendor process 1–2: initiation, point of contact, vendor and its partners',
    variables: { ...ORG, first: 50 },
    query: /* GraphQL */ `
      query VendorOffboarding($id: ID!, $first: Int) {
        organization(id: $id) {
          id name type status
          offboarding { id status reason dayZero pointOfContact notes startedAt startedBy entitlementsCancelledAt }
          contacts(first: 20) { totalCount edges { node { id name email phone role maskedAt } } }
          partners(first: $first) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { node { id name status offboarding { id status dayZero } portalAccess { enabled } users(first: 5) { totalCount } } }
          }
        }
      }`,
  },
  {
    screen: 'vendor process 7: the timeline and its milestones, previewed and live',
    variables: { ...ORG, dayZero: '2025-01-31' },
    query: /* GraphQL */ `
      query VendorTimeline($id: ID!, $dayZero: String!) {
        offboardingPolicy(organizationId: $id) { organizationType exportWindowDays ssoShutdownDays piiMaskingDays portalHiddenDays finalConfirmationDays retentionDays }
        previewOffboardingTimeline(organizationId: $id, dayZero: $dayZero) {
          dayZero exportWindowClosesAt purgeEligibleAt milestones { milestone status dueAt dueRule owner }
        }
        organization(id: $id) {
          id name
          timeline { caseId dayZero exportWindowClosesAt purgeEligibleAt milestones { milestone status dueAt dueRule owner requestedAt completedAt blockedReason } }
          retention { id status exportWindowClosesAt extensions { kind until reason } }
        }
      }`,
  },
  {
    screen: 'vendor process 3 and 6: account deactivation and SSO shutdown, for the vendor and its partners',
    variables: { ...ORG, first: 20 },
    query: /* GraphQL */ `
      query AccessAndSso($id: ID!, $first: Int) {
        organization(id: $id) {
          id name
          portalAccess { enabled changedAt }
          ssoConnections { id protocol issuer clientId active secretDeletedAt createdAt }
          users(first: 50) { totalCount edges { node { id email displayName role status deactivatedAt } } }
          partners(first: $first) {
            totalCount
            edges {
              node {
                id name
                portalAccess { enabled changedAt }
                ssoConnections { id active secretDeletedAt }
                users(first: 20) { totalCount edges { node { id email status deactivatedAt } } }
              }
            }
          }
        }
      }`,
  },
  {
    screen: 'vendor process 4: PII masking and campaign invalidation',
    variables: { ...ORG, first: 20 },
    query: /* GraphQL */ `
      query MaskingAndCampaigns($id: ID!, $first: Int) {
        organization(id: $id) {
          id name piiMaskedAt
          contacts(first: 20) { edges { node { id name email maskedAt } } }
          campaigns { id name status invalidatedAt contactName trackingLinks { id code status disabledReason disabledAt } }
          partnerRelationships { id programme contactName status endedAt }
          partners(first: $first) {
            totalCount
            edges { node { id name piiMaskedAt campaigns { id name status invalidatedAt } partnerRelationships { id status endedAt } } }
          }
        }
      }`,
  },
  {
    screen: 'vendor process 5: data export window and exports of the vendor and its partners',
    variables: { ...ORG, first: 20 },
    query: /* GraphQL */ `
      query VendorExports($id: ID!, $first: Int) {
        organization(id: $id) {
          id name
          retention { id exportWindowClosesAt extensions { kind previousUntil until reason createdAt } }
          dataExports { id status requestedBy requestedAt readyAt sizeBytes downloadUrl collections { service collection rows } }
          partners(first: $first) { totalCount edges { node { id name dataExports { id status readyAt downloadUrl } } } }
        }
      }`,
  },
  {
    screen: 'vendor process 8: the audit records of every offboarding action',
    variables: { ...ORG, first: 100 },
    query: /* GraphQL */ `
      query AuditRecords($id: ID!, $first: Int, $after: String) {
        verifyAuditTrail(organizationId: $id) { intact checkedEntries firstBrokenSequence reason }
        organization(id: $id) {
          id name auditTrailIntact
          auditTrail(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { node { sequence eventId eventType source occurredAt recordedAt details previousHash hash } }
          }
        }
      }`,
  },
];
