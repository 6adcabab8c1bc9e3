// The same checks under Jest, set up as the README tells an outside app to.
import { checks } from './checks.js';

describe('@support-sla/domain installed from its tarball', () => {
  it.each(checks.map(([name, check]) => ({ name, check })))('$name', ({ check }) => check());
});
