import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations from the public API schema: every screen's .graphql file becomes a typed
// document (its variables and result types), which the console's client sends as a string.
// The output is checked in; `npm run codegen -- --check` (run by the tests) fails when stale.
const config: CodegenConfig = {
  schema: 'schema/api.graphql',
  documents: ['apps/console/src/**/*.graphql'],
  generates: {
    'apps/console/src/api/generated.ts': {
      plugins: [
        'typescript-operations',
        'typed-document-node',
      ],
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        onlyOperationTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string' },
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        skipTypename: true,
      },
    },
  },
};

export default config;
