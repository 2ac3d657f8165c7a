'use strict';
// Require hook for running TypeScript sources directly with swc: decorators and their metadata
// for NestJS, and the workspace path aliases. Reading tsconfig ourselves keeps start-up fast, and
// compiled output is cached by content hash so five processes do not compile the same files.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const { root, swcOptions } = require('./swc-options');

const cacheDir = path.join(root, 'node_modules', '.cache', 'offboarding-swc');
const optionsHash = crypto
  .createHash('sha1')
  .update(JSON.stringify(swcOptions))
  .update(require('@swc/core/package.json').version)
  .digest('hex');

function compile(source, filename) {
  const key = crypto.createHash('sha1').update(optionsHash).update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const { code } = transformSync(source, { ...swcOptions, filename });
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // a read-only tree still runs, just without the cache
  }
  return code;
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(compile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
