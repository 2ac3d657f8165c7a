import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { API_SCHEMA_PATH, CHANGELOG_PATH, checkApiChanges, checkApiHistory } from '../check-api-changes';

// The check against real git history: a scratch repository whose API schema changes from commit
// to commit, including a branch of several commits merged at once.

describe('npm run api:check on a git history', () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'api-check-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), content);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const schema = (fields: string) => `type Query { organization(id: ID!): Organization }\ntype Organization { id: ID! ${fields} }\n`;

  beforeAll(() => {
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.invalid');
    git('config', 'user.name', 'CI');
    write('README.md', 'no schema yet\n');
    commit('before the API schema existed');
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('has nothing to compare with before the schema file exists', async () => {
    write(API_SCHEMA_PATH, schema('name: String! licenses: [String!]!'));
    write(CHANGELOG_PATH, '# Changelog\n\n## API\n\n');
    commit('the API schema');
    await expect(checkApiChanges(repo, 'HEAD^')).resolves.toMatchObject({ compared: false, unrecorded: [] });
  });

  it('passes an addition and fails a removal against the first parent', async () => {
    write(API_SCHEMA_PATH, schema('name: String! licenses: [String!]! taxId: String'));
    commit('add taxId');
    await expect(checkApiChanges(repo, 'HEAD^')).resolves.toMatchObject({ compared: true, breaking: [] });

    write(API_SCHEMA_PATH, schema('name: String! taxId: String'));
    commit('drop licenses');
    const result = await checkApiChanges(repo, 'HEAD^');
    expect(result.unrecorded).toEqual([expect.objectContaining({ path: 'Organization.licenses' })]);
  });

  it('compares a merge with its first parent, so a break anywhere on the merged branch is caught', async () => {
    const mainTip = git('rev-parse', 'HEAD');
    git('checkout', '-q', '-b', 'feature');
    write(API_SCHEMA_PATH, schema('taxId: String'));
    commit('drop name');
    write(API_SCHEMA_PATH, schema('taxId: String createdAt: String'));
    commit('add createdAt');
    git('checkout', '-q', 'main');
    git('merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    // The last commit alone is additive; the merge against its first parent is not.
    await expect(checkApiChanges(repo, 'feature^')).resolves.toMatchObject({ breaking: [] });
    const merged = await checkApiChanges(repo, 'HEAD^');
    expect(merged.base).toBe(mainTip);
    expect(merged.unrecorded.map((change) => change.path)).toEqual(['Organization.name']);

    // Recorded under ## API in the same change: the check passes.
    write(CHANGELOG_PATH, '# Changelog\n\n## API\n\n- `Organization.name` removed: read it from the organization profile.\n');
    expect((await checkApiChanges(repo, mainTip)).unrecorded).toEqual([]);
  });

  it('checks every schema change of the first-parent history, so commits landing together without a merge are all caught', async () => {
    commit('record the removal of name');
    const before = git('rev-parse', 'HEAD');
    write(API_SCHEMA_PATH, schema('createdAt: String'));
    commit('drop taxId');
    const breaking = git('rev-parse', 'HEAD');
    write(API_SCHEMA_PATH, schema('createdAt: String updatedAt: String'));
    commit('add updatedAt');
    // Against HEAD^ only the last, additive commit is seen; the history sees the break before it.
    await expect(checkApiChanges(repo, 'HEAD^')).resolves.toMatchObject({ breaking: [] });
    const history = await checkApiHistory(repo);
    // Newest first: the break just made, and the unrecorded removal of licenses further back.
    const failing = history.filter((result) => result.unrecorded.length > 0);
    expect(failing.map((result) => result.unrecorded.map((change) => change.path))).toEqual([['Organization.taxId'], ['Organization.licenses']]);
    expect(failing[0]).toMatchObject({ change: breaking, base: before });
    // The earlier merge's break, recorded in a later commit, counts as recorded.
    expect(history.find((result) => result.unrecorded.length === 0 && result.breaking.some((change) => change.path === 'Organization.name'))).toBeDefined();

    // Recorded by an uncommitted changelog line (the working tree): nothing unrecorded is left.
    write(CHANGELOG_PATH, `${fs.readFileSync(path.join(repo, CHANGELOG_PATH), 'utf8')}- \`Organization.taxId\` removed: tax ids moved to billing.\n- \`Organization.licenses\` removed: read licences from the provisioning API.\n`);
    const recorded = await checkApiHistory(repo);
    expect(recorded.filter((result) => result.unrecorded.length > 0)).toEqual([]);
    expect(recorded[0]).toMatchObject({ change: 'working tree', compared: true, breaking: [] });
  });
});
