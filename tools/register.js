'use strict';
// Require hook for running TypeScript sources directly with swc: decorators and their metadata
// for NestJS, and the workspace path aliases. Reading tsconfig ourselves keeps start-up fast.
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
const { swcOptions } = require('./swc-options');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};
