import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

// The console's typed operations are generated from schema/api.graphql and checked in, so the
// console type-checks on a fresh clone and a schema change shows its effect on the console in
// review. `graphql-codegen --check` fails when the checked-in output is stale (run
// `npm run codegen`), and code generation itself fails when an operation no longer matches the
// schema (a field removed or renamed).

const root = path.resolve(__dirname, '../..');
const cli = path.join(path.dirname(require.resolve('@graphql-codegen/cli/package.json')), 'cjs/bin.js');

describe('console code generation', () => {
  it('is up to date with the API schema and the operations', async () => {
    const run = promisify(execFile)(process.execPath, [cli, '--config', 'apps/console/codegen.ts', '--check'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    await expect(run).resolves.toBeDefined();
  }, 60_000);
});
