import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const services = ['gateway', 'entitlements', 'provisioning', 'identity', 'retention'];

/** No service imports another service; services share only libs; dev tooling stays out of them. */
function boundaries({ testsMayUseDevLibs }) {
  const shared = testsMayUseDevLibs ? ['scope:shared', 'scope:dev'] : ['scope:shared'];
  return [
    'error',
    {
      allow: [],
      banTransitiveDependencies: true,
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: shared },
        { sourceTag: 'scope:dev', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dev'] },
        ...services.map((service) => ({ sourceTag: `scope:${service}`, onlyDependOnLibsWithTags: shared })),
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', '**/*.js', '**/*.mjs', 'docs/**', 'apps/console/src/api/generated.ts'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ testsMayUseDevLibs: false }),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise returned from inside try/finally must be awaited there, or the finally runs first.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The console: hooks called unconditionally, effects with their real dependencies.
    files: ['apps/console/**/*.tsx', 'apps/console/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Domain code reads time from the injectable Clock so it can be tested and shifted.
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/__tests__/**', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.pg-spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Read the time from the injected Clock (clock.now()), not new Date().',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read the time from the injected Clock (clock.now()), not Date.now().',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.pg-spec.ts', '**/*.e2e-spec.ts', '**/__tests__/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      // Tests run against the development broker.
      '@nx/enforce-module-boundaries': boundaries({ testsMayUseDevLibs: true }),
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
