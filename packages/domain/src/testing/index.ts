/**
 * Test support for `@support-sla/domain`: given/when/then decider specifications, fixtures and
 * fast-check generators. Requires `fast-check` (a dev dependency of whoever imports this).
 */
export * from './decider-specification';
export * from './fixtures';
export * from './arbitraries';
