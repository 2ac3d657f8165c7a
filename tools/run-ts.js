#!/usr/bin/env node
// Runs a TypeScript entry point with swc (decorator metadata and the workspace path aliases
// from tsconfig.base.json), so `npm start` needs no separate build step.
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node tools/run-ts.js <file.ts> [args…]\n');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const child = spawn(process.execPath, ['--enable-source-maps', '-r', path.join(root, 'tools/register.js'), path.resolve(entry), ...args], {
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
// A child killed by a signal exits the shell way, 128 + the signal's number.
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 0)));
