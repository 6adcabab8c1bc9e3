// Runs every check under plain Node: the compiled output of each module setting runs this.
import { checks } from './checks.js';

// The two Node globals this needs, declared here rather than through @types/node (see checks.ts).
declare const console: { log(...values: unknown[]): void; error(...values: unknown[]): void };
declare const process: { exitCode?: number };

let failed = 0;
for (const [name, check] of checks) {
  try {
    check();
  } catch (error) {
    failed += 1;
    console.error(`FAILED ${name}:`, error);
  }
}
console.log(failed === 0 ? `ok: ${checks.length} checks` : `${failed} of ${checks.length} checks failed`);
process.exitCode = failed === 0 ? 0 : 1;
