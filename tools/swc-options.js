'use strict';
// One swc configuration for everything that runs TypeScript sources: the require hook used by
// `npm start` and the jest transform. Path aliases come from tsconfig.base.json.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

module.exports = {
  root,
  swcOptions: {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
};
