/**
 * Test support for `@support-sla/domain`: given/when/then decider specifications, fixtures,
 * command builders and `runCommands`. Needs nothing beyond the library's own dependencies.
 *
 * The fast-check generators live apart, in `@support-sla/domain/testing/arbitraries`, so that
 * importing this entry point never loads `fast-check` (an optional peer dependency).
 */
export * from './decider-specification';
export * from './fixtures';
export * from './run-commands';
export * from './ticket-builders';
