import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layering (packages/service/README.md, "Layering"): which folder may import which. Each file
// gets one `no-restricted-imports` setting (a later matching block replaces an earlier one).
const restrict = (...rules) => ['error', { patterns: rules.map(([regex, message]) => ({ regex, message })) }];
/** A relative import of `name` (a top-level folder or file of packages/service/src) from a sibling folder. */
const into = (name) => `^(\\.\\./)+${name}(/|$)`;
const noService = [`^@support-sla/service(/|$)|${into('service')}`, 'the pure packages never import the service'];
const noFramework = ['^(@nestjs/|better-sqlite3$|@eventstore/)', 'the pure packages use no framework and no store'];
/** The feature slices and the module that registers them: nothing below them imports one. */
const SLICES = 'tickets|outages|policies|reports|support\\.module';
const inService = (folder) => `packages/service/src/${folder}/**/*.ts`;

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'data/**', '.bench-out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The pure packages: no `any`, no console.
    files: ['packages/sla-calendar/src/**/*.ts', 'packages/domain/src/**/*.ts', 'packages/projections/src/**/*.ts'],
    ignores: ['**/*.bench.ts', '**/bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // Plain CommonJS launchers (the committed bin shim).
    files: ['**/bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['packages/service/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'warn' },
  },
  // Dependencies between packages point one way: sla-calendar <- domain <- projections <- service.
  {
    files: ['packages/sla-calendar/src/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([`^@support-sla/(domain|projections)(/|$)|${into('(domain|projections)')}`, 'sla-calendar depends on no other package'], noService, noFramework) },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([`^@support-sla/projections(/|$)|${into('projections')}`, 'the domain never imports projections'], noService, noFramework) },
  },
  {
    files: ['packages/projections/src/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(noService, noFramework) },
  },
  // Inside the service. Nothing below the slices (tickets/, outages/, policies/, reports/) imports one, nor the composition
  // root (`app.module`, `bootstrap`) or the end-to-end suites (`e2e/`).
  {
    files: [inService('event-store')],
    rules: {
      'no-restricted-imports': restrict([
        into(`(application|${SLICES}|platform|notifications|projection-runner|seals|http|e2e|app\\.module|bootstrap)`),
        'event-store/ is the port and its adapters: it imports no layer above it',
      ]),
    },
  },
  {
    files: [inService('{auth,config,checkpoints,hash-chain,idempotency}')],
    rules: { 'no-restricted-imports': restrict([into(`(${SLICES}|e2e|app\\.module|bootstrap)`), 'a shared folder imports no slice and not the composition root']) },
  },
  {
    files: [inService('projection-runner')],
    rules: {
      'no-restricted-imports': restrict([
        into(`(platform|application|${SLICES}|notifications|app\\.module)`),
        'projection-runner/ runs projections from the log; the platform wires it (platform -> projection-runner, never back)',
      ]),
    },
  },
  {
    files: [inService('application')],
    rules: {
      'no-restricted-imports': restrict([
        into(`(${SLICES}|platform|notifications|http|e2e|app\\.module|bootstrap)`),
        'application/ is the shared kernel (executor, stored-event decoder, ticket numbers, clock): no slice, no HTTP, no platform wiring, no mailer',
      ]),
    },
  },
  {
    files: [inService('platform')],
    rules: { 'no-restricted-imports': restrict([into(`(${SLICES}|e2e|app\\.module|bootstrap)`), 'platform/ serves every slice and imports none, nor the composition root (src/bootstrap.ts)']) },
  },
  // The slices: each holds its routes, handlers and tests, and imports no other slice, except the
  // policy history the tickets slice pins and reads (policies/policy-history).
  ...['tickets', 'outages', 'policies', 'reports'].map((slice) => {
    const others = ['tickets', 'outages', 'policies', 'reports'].filter((other) => other !== slice);
    // tickets/ may read policies/policy-history and nothing else of another slice.
    const forbidden = others.map((other) => (slice === 'tickets' && other === 'policies' ? 'policies/(?!policy-history$)' : `${other}(/|$)`));
    return {
      files: [inService(slice)],
      rules: {
        'no-restricted-imports': restrict(
          [`^(\\.\\./)+(${forbidden.join('|')})`, `${slice}/ imports no other slice${slice === 'tickets' ? ' but the policy history (policies/policy-history)' : ''}`],
          [into('(e2e|notifications|support\\.module|app\\.module|bootstrap)'), `${slice}/ imports neither support.module, the mailer nor the composition root`],
        ),
      },
    };
  }),
  {
    files: [inService('notifications')],
    rules: {
      'no-restricted-imports': restrict(
        [into(`(${SLICES}|projection-runner|platform|e2e|app\\.module|bootstrap)`), 'notifications/ decides on the read models\' fold and records through application/; it imports no slice and nothing of the platform'],
        ['^(\\.\\./)+deployment/(?!store-lease$)', 'notifications/ uses only the lease from deployment/ (deployment/ hosts notifications, not the other way round)'],
      ),
    },
  },
  {
    files: [inService('deployment')],
    rules: {
      'no-restricted-imports': restrict([
        into(`(${SLICES}|application|projection-runner|platform|http|e2e|app\\.module|bootstrap)`),
        'deployment/ (worker thread, lease, thread priority) runs the notifications\' delivery; it knows no slice, use case or HTTP',
      ]),
    },
  },
  {
    files: [inService('http')],
    // Known exception (README): conformance.ts checks the declared response schemas against the slices' own types.
    ignores: ['packages/service/src/http/responses/conformance.ts'],
    rules: { 'no-restricted-imports': restrict([into(`(${SLICES}|platform|notifications|e2e|app\\.module|bootstrap)`), 'http/ is shared by every slice: it imports none, nor the platform or the composition root']) },
  },
);
