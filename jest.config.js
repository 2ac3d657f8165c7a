'use strict';
// Three tiers, selected with --selectProjects: unit (*.spec.ts, no I/O), integration
// (*.int-spec.ts, real database and the dev broker) and e2e (*.e2e-spec.ts, the whole stack).
const { swcOptions } = require('./tools/swc-options');

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcOptions, sourceMaps: 'inline', swcrc: false }],
    '^.+\\.m?js$': ['@swc/jest', { ...swcOptions, jsc: { ...swcOptions.jsc, parser: { syntax: 'ecmascript' } }, sourceMaps: false, swcrc: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  // NestJS 12 ships ES modules only, and jest on Node 20 cannot require() them: compile those
  // packages to CommonJS like our own sources (cached by jest after the first run).
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|uint8array-extras|@tokenizer|graphql-ws)/)'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      slowTestThreshold: 20,
    },
    {
      // Cases PGlite cannot show (SKIP LOCKED, advisory locks, LISTEN/NOTIFY): real server only.
      ...shared,
      displayName: 'postgres',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.pg-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
  ],
};
