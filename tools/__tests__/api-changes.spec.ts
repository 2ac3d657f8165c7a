import { apiSection, breakingChanges, unrecorded } from '../check-api-changes';

const before = /* GraphQL */ `
  type Query { organization(id: ID!): Organization organizations(first: Int): [Organization!]! }
  type Organization { id: ID! name: String! licenses: [String!]! status: Status! }
  enum Status { ACTIVE ARCHIVED }
`;

describe('the API breaking-change check', () => {
  it('lets additions through: new fields, types, optional arguments and enum values', async () => {
    const after = /* GraphQL */ `
      type Query { organization(id: ID!): Organization organizations(first: Int, after: String): [Organization!]! purgeQueue: [Organization!]! }
      type Organization { id: ID! name: String! licenses: [String!]! status: Status! taxId: String }
      type Extra { id: ID! }
      enum Status { ACTIVE ARCHIVED PURGED }
    `;
    expect(await breakingChanges(before, after)).toEqual([]);
  });

  it('finds a removed field, a narrowed argument and a removed enum value', async () => {
    const after = /* GraphQL */ `
      type Query { organization(id: ID!): Organization organizations(first: Int!): [Organization!]! }
      type Organization { id: ID! name: String! status: Status! }
      enum Status { ACTIVE }
    `;
    const found = await breakingChanges(before, after);
    expect(found.map((change) => change.path).sort()).toEqual(['Organization.licenses', 'Query.organizations.first', 'Status.ARCHIVED'].sort());
    expect(found.find((change) => change.path === 'Organization.licenses')!.message).toMatch(/licenses.*removed/);
  });

  it('passes a breaking change only when a line added to the API section names it', async () => {
    const after = before.replace('licenses: [String!]! ', '');
    const changes = await breakingChanges(before, after);
    expect(changes).toHaveLength(1);
    const base = '# Changelog\n\n## API\n\n- `Organization.name` is trimmed.\n\n## Events\n\n- `Organization.licenses` mentioned elsewhere.\n';
    // Not recorded: the coordinate appears only outside the API section, or in a line that was already there.
    expect(unrecorded(changes, base, base)).toEqual(changes);
    const old = base.replace('`Organization.name` is trimmed.', '`Organization.licenses` was renamed once before.');
    expect(unrecorded(changes, old, old)).toEqual(changes);
    // Recorded in this change, by the field or by its type.
    expect(unrecorded(changes, base, base.replace('## API\n', '## API\n\n- `Organization.licenses` removed: use `Organization.entitlements`.\n'))).toEqual([]);
    expect(unrecorded(changes, base, base.replace('## API\n', '## API\n\n- `Organization` lost its licence list.\n'))).toEqual([]);
    // A coordinate that only starts the same way is another one.
    expect(unrecorded(changes, base, base.replace('## API\n', '## API\n\n- `Organization.licensesV2` added.\n'))).toEqual(changes);
  });

  it('reads the API section up to the next second-level heading', () => {
    expect(apiSection('# C\n## API\n- a\n### Removed\n- b\n## Events\n- c\n')).toEqual(['- a', '### Removed', '- b']);
    expect(apiSection('# C\n## Events\n- c\n')).toEqual([]);
  });
});
