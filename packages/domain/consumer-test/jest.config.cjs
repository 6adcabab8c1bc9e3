// A consumer's Jest 30 setup: TypeScript through @swc/jest, and temporal-polyfill (ES modules
// only, required by @support-sla/sla-calendar) compiled too instead of being ignored.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(temporal-polyfill|temporal-utils)/)'],
  // Sources import './x.js' (NodeNext style); Jest resolves that to './x.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
