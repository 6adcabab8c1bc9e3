#!/usr/bin/env node
// The `support-sla` command. A committed shim, so that `npm ci` links the bin even before the
// TypeScript build has produced dist/ (npm links nothing for a bin whose target is missing).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('support-sla: not built yet; run `npm run build` (or `npm start`) in the repository first\n');
  process.exit(2);
}
require(entry);
