import { composeSupergraph, staleFiles } from '../compose-supergraph';

describe('the checked-in supergraph', () => {
  it('composes from the code-first subgraphs and matches the checked-in files (else run `npm run supergraph`)', async () => {
    const expected = await composeSupergraph();
    expect(staleFiles(expected)).toEqual([]);
    const supergraph = [...expected.values()].at(-1)!;
    // Organization originates in entitlements; every other subgraph contributes a field.
    for (const graph of ['ENTITLEMENTS', 'PROVISIONING', 'IDENTITY', 'RETENTION']) {
      expect(supergraph).toContain(`@join__type(graph: ${graph}, key: "id")`);
    }
    expect(supergraph).toMatch(/licenses: \[License!\]! @join__field\(graph: PROVISIONING\)/);
    expect(supergraph).toMatch(/portalAccess: PortalAccess @join__field\(graph: IDENTITY\)/);
    expect(supergraph).toMatch(/auditTrail\(first: Int, after: String\): AuditEntryConnection! @join__field\(graph: RETENTION\)/);
  }, 300_000);
});
