/** @jest-config-loader ts-node */
/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "commonjs", "moduleResolution": "node10"}} */
import type { Config } from 'jest';

// One jest project per workspace package. Sources are compiled by SWC (fast, keeps
// NestJS decorator metadata); type checking is done separately by `tsc -b` in `npm test`.
const swcTransform: Config['transform'] = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
      module: { type: 'commonjs' },
    },
  ],
};

// Workspace packages resolve to their TypeScript sources, so tests never run stale `dist/`.
const moduleNameMapper: Config['moduleNameMapper'] = {
  // Relative imports written with a `.js` extension (NodeNext style) resolve to the `.ts` source.
  '^(\\.{1,2}/.*)\\.js$': '$1',
  '^@support-sla/domain/testing$': '<rootDir>/../domain/src/testing/index.ts',
  '^@support-sla/(sla-calendar|domain|projections|service)$': '<rootDir>/../$1/src/index.ts',
};

// temporal-polyfill (and its helper package) ship ES modules only; let SWC turn them into CommonJS.
const transformIgnorePatterns = ['/node_modules/(?!(temporal-polyfill|temporal-utils)/)'];

const project = (name: string, extra: Partial<Config> = {}): Config => ({
  displayName: name,
  rootDir: `<rootDir>/packages/${name}`,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  transform: swcTransform,
  transformIgnorePatterns,
  moduleNameMapper,
  ...extra,
});

const config: Config = {
  projects: [
    project('sla-calendar'),
    project('domain'),
    project('projections'),
    project('service'),
    // openapi-typescript (the client's code generator, run by its staleness test) requires packages
    // that ship ES modules only, some of them nested in its own node_modules.
    // The web console's browser tests (Chromium via playwright-core) live beside the app, in tests/.
    project('console', { testMatch: ['<rootDir>/tests/**/*.test.ts'] }),
    project('client', {
      transformIgnorePatterns: ['/node_modules/(?!(?:[^/]+/node_modules/)*(temporal-polyfill|temporal-utils|change-case|parse-json|index-to-position|supports-color)/)'],
    }),
  ],
  testTimeout: 60_000,
};

export default config;
