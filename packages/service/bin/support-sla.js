#!/usr/bin/env node
// The `support-sla` command. A committed shim, so that `npm ci` links the bin even before the
// TypeScript build has produced dist/ (npm links nothing for a bin whose target is missing).
// Right after `npm ci` there is no build yet: the shim builds the workspace once, then runs.
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const packageDir = join(__dirname, '..');
const entry = join(packageDir, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });
  } catch {
    process.stderr.write('support-sla: not built yet, and TypeScript is not installed; run `npm ci` then `npm run build` in the repository\n');
    process.exit(2);
  }
  process.stderr.write('support-sla: first run, building the workspace (tsc -b)…\n');
  const built = spawnSync(process.execPath, [tsc, '-b', packageDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0 || !existsSync(entry)) {
    process.stderr.write('support-sla: the build failed; run `npm run build` in the repository to see why\n');
    process.exit(2);
  }
}
require(entry);
