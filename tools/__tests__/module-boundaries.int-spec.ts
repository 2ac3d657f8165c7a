import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

// The module-boundary rule needs Nx's project graph and silently skips itself without one, so
// prove here that it is active and refuses what it must.
const root = path.resolve(__dirname, '../..');

describe('module boundaries', () => {
  const probe = path.join(root, 'apps/provisioning/src/boundary-probe.ts');
  const lint = async (source: string) => {
    fs.writeFileSync(probe, source);
    try {
      const [result] = await new ESLint({ cwd: root }).lintFiles([probe]);
      return result.messages.filter((message) => message.ruleId === '@nx/enforce-module-boundaries');
    } finally {
      fs.rmSync(probe, { force: true });
    }
  };

  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
  });

  it('refuses a service importing another service', async () => {
    const messages = await lint(`import { AppModule } from '../../entitlements/src/app.module';\nexport const probe = AppModule;\n`);
    expect(messages.length).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a service depending on the development broker', async () => {
    const messages = await lint(`import { startDevBroker } from '@offboarding/dev-broker';\nexport const probe = startDevBroker;\n`);
    expect(messages.map((message) => message.message).join('\n')).toMatch(/scope:provisioning.*can only depend on libs tagged with.*scope:shared/s);
  }, 120_000);

  it('lets a service use the shared libraries', async () => {
    expect(await lint(`import { Topics } from '@offboarding/contracts';\nexport const probe = Topics.provisioning;\n`)).toEqual([]);
  }, 120_000);
});

describe('clock rule', () => {
  // Type-aware linting needs the file on disk, inside the TypeScript project.
  const lintAs = async (file: string, source: string) => {
    const absolute = path.join(root, file);
    fs.writeFileSync(absolute, source);
    try {
      const [result] = await new ESLint({ cwd: root }).lintFiles([absolute]);
      expect(result.messages.filter((message) => message.fatal)).toEqual([]);
      return result.messages.filter((message) => message.ruleId === 'no-restricted-syntax').map((message) => message.message);
    } finally {
      fs.rmSync(absolute, { force: true });
    }
  };

  it('refuses new Date() and Date.now() in service code and allows them in tests', async () => {
    const source = 'export const a = new Date();\nexport const b = Date.now();\nexport const c = new Date(0);\n';
    const messages = await lintAs('apps/entitlements/src/clock-probe.ts', source);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/injected Clock/);
    expect(await lintAs('apps/entitlements/src/__tests__/clock-probe.spec.ts', source)).toEqual([]);
  }, 120_000);
});
