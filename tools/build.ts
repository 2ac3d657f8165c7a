import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { transformFile } from '@swc/core';

// Production build: every app and lib source compiled by swc with the same options `npm start`
// uses (decorators and their metadata for NestJS and TypeORM), into a tree that mirrors the
// sources (`dist/apps/<svc>/src/main.js`, `dist/libs/...`). swc rewrites the `@offboarding/*`
// path aliases into relative requires, which stay valid because the tree is kept as it is.
// Run the output with plain `node` (>= 20.19, where require() loads NestJS's ES modules).

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the options are shared with the CommonJS require hook
const { root, swcOptions } = require('./swc-options') as { root: string; swcOptions: Record<string, unknown> };

const SOURCE_DIRS = ['apps', 'libs'];
/** Browser code, bundled by Vite instead (see buildConsole). */
const BROWSER_APPS = new Set([path.join('apps', 'console')]);
const TEST_FILE = /\.(spec|int-spec|pg-spec|e2e-spec)\.ts$|\.d\.ts$/;
/** Non-TypeScript files the built services read at run time, relative to the repository root. */
/** The production supergraph, and the one with the dev controls for a built stack outside production. */
export const ASSETS = ['apps/gateway/supergraph.graphql', 'apps/gateway/supergraph.dev.graphql'];

export interface BuildResult {
  outDir: string;
  /** Compiled files, relative to outDir. */
  files: string[];
}

/** TypeScript sources that ship: everything under apps/ and libs/ but tests. */
export function sourceFiles(base = root): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__' && entry.name !== 'node_modules' && !BROWSER_APPS.has(path.relative(base, absolute))) walk(absolute);
      } else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) {
        found.push(path.relative(base, absolute));
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(base, dir));
  return found.sort();
}

/** A require of a workspace alias that survived compilation would fail only at run time. */
export function unresolvedAliases(code: string): string[] {
  return [...code.matchAll(/require\((["'])(@offboarding\/[^"']*)\1\)/g)].map((match) => match[2]);
}

/** Where the console's bundle goes: apps/console/dist, or the same place inside a build's output. */
export const consoleOutDir = (base = root) => path.join(base, 'apps', 'console', 'dist');
/** Where the API explorer's bundle goes (served by the gateway at /explorer/ outside production). */
export const explorerOutDir = (base = root) => path.join(base, 'apps', 'console', 'dist-explorer');

function vite(config: string, env: Record<string, string>): Promise<unknown> {
  return promisify(execFile)(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(root, config)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * The admin console bundled by Vite (production mode: minified, hashed assets, source maps), and
 * beside it the API explorer (GraphiQL) the gateway serves outside production.
 */
export async function buildConsole(outDir = consoleOutDir(), explorerDir = explorerOutDir()): Promise<void> {
  await vite('apps/console/vite.config.mts', { CONSOLE_OUT_DIR: outDir });
  await buildExplorer(explorerDir);
}

/** The API explorer alone (GraphiQL and its sign-in bar), into `outDir`. */
export async function buildExplorer(outDir = explorerOutDir()): Promise<void> {
  await vite('apps/console/vite.explorer.config.mts', { EXPLORER_OUT_DIR: outDir });
}

export async function build(outDir = path.join(root, 'dist')): Promise<BuildResult> {
  const out = path.resolve(outDir);
  if (out === root || root.startsWith(`${out}${path.sep}`)) throw new Error(`refusing to build into ${out}: it holds the sources`);
  fs.rmSync(out, { recursive: true, force: true });

  const files = sourceFiles();
  const problems: string[] = [];
  // Sequential batches keep memory flat; swc compiles on its own threads anyway.
  const batchSize = 16;
  for (let start = 0; start < files.length; start += batchSize) {
    await Promise.all(
      files.slice(start, start + batchSize).map(async (file) => {
        const target = path.join(out, file.replace(/\.ts$/, '.js'));
        const { code, map } = await transformFile(path.join(root, file), {
          ...swcOptions,
          sourceMaps: true,
          // Stack traces name the repository's files, as in development.
          sourceFileName: path.relative(path.dirname(target), path.join(root, file)),
          swcrc: false,
        });
        for (const alias of unresolvedAliases(code)) problems.push(`${file}: unresolved import ${alias}`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
        if (map) fs.writeFileSync(`${target}.map`, map);
      }),
    );
  }
  if (problems.length > 0) throw new Error(`build failed:\n${problems.join('\n')}`);

  await buildConsole(consoleOutDir(out), explorerOutDir(out));
  for (const asset of ASSETS) {
    fs.mkdirSync(path.dirname(path.join(out, asset)), { recursive: true });
    fs.copyFileSync(path.join(root, asset), path.join(out, asset));
  }
  return { outDir: out, files: files.map((file) => file.replace(/\.ts$/, '.js')) };
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--out-dir');
  const outDir = flag >= 0 ? process.argv[flag + 1] : undefined;
  if (flag >= 0 && !outDir) throw new Error('usage: npm run build [-- --out-dir <dir>]');
  const started = Date.now();
  const result = await build(outDir);
  process.stdout.write(
    `built ${result.files.length} files into ${path.relative(process.cwd(), result.outDir) || '.'} in ${Date.now() - started} ms\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
