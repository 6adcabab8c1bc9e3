#!/usr/bin/env node
// Run by `npm ci` (the root `prepare` script) and by `npm start`:
// `tsc -b` over every workspace package, saying so when it takes a while. On a clean checkout the
// compile takes 35–50 s on a 2-core machine; with dist/ up to date it takes about 2 s and prints
// nothing, so a start after `npm ci` goes straight to the service's own log.
// `--install` (the `prepare` script): a failed build is reported but does not fail the install;
// `npm start` builds again and stops on the errors, and `npm test` type-checks on its own.
'use strict';
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
let packages;
try {
  packages = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
} catch {
  packages = undefined;
}
if (!Array.isArray(packages)) {
  // Installed outside the repository (no workspace root): nothing to build here.
  process.exit(0);
}

const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
let announced = false;
const announce = setTimeout(() => {
  announced = true;
  process.stderr.write('support-sla: compiling the TypeScript packages (tsc -b); from a clean checkout this takes 35–50 s, later builds a few seconds…\n');
}, 1500);
const ticker = setInterval(() => {
  if (announced) process.stderr.write(`support-sla: still compiling (${seconds()} s)…\n`);
}, 15_000);

const child = spawn(process.execPath, [tsc, '-b', ...packages], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  clearTimeout(announce);
  clearInterval(ticker);
  if (code === 0) {
    if (announced) process.stderr.write(`support-sla: compiled in ${seconds()} s\n`);
    process.exit(0);
  }
  process.stderr.write(`support-sla: the TypeScript build failed (${signal ?? `exit code ${code}`}); the errors are above\n`);
  if (process.argv.includes('--install')) {
    process.stderr.write('support-sla: the install itself succeeded; `npm start` and `npm run build` will build again\n');
    process.exit(0);
  }
  process.exit(code === null ? 1 : code);
});
