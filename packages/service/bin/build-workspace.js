#!/usr/bin/env node
// Run by `npm ci` (the root `prepare` script) and by `npm start`:
// `tsc -b` over every workspace package, saying so when it takes a while. On a clean checkout the
// compile takes 35–50 s on a 2-core machine; with dist/ up to date it takes about 2 s and prints
// nothing, so a start after `npm ci` goes straight to the service's own log.
// Then the web console (packages/console): `vite build` into packages/console/dist/web, skipped
// when that output is newer than every source it is built from (a stamp file), so a start with
// nothing changed stays fast.
// `--install` (the `prepare` script): a failed build is reported but does not fail the install;
// `npm start` builds again and stops on the errors, and `npm test` type-checks on its own.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
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

const failed = (what, code, signal) => {
  process.stderr.write(`support-sla: the ${what} failed (${signal ?? `exit code ${code}`}); the errors are above\n`);
  if (process.argv.includes('--install')) {
    process.stderr.write('support-sla: the install itself succeeded; `npm start` and `npm run build` will build again\n');
    process.exit(0);
  }
  process.exit(code === null ? 1 : code);
};

// The web console's sources: a build older than any of them is stale.
const consoleDir = join(root, 'packages', 'console');
const consoleStamp = join(consoleDir, 'dist', 'web', '.built');
const newestIn = (path) => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestIn(join(path, entry)));
  }
  return newest;
};
const consoleStale = () => {
  if (!existsSync(consoleStamp)) return true;
  const built = statSync(consoleStamp).mtimeMs;
  const sources = ['src', 'index.html', 'vite.config.mts', 'package.json'].map((p) => join(consoleDir, p));
  // The client and the domain's list of request types are bundled from their sources.
  sources.push(join(root, 'packages', 'client', 'src'), join(root, 'packages', 'domain', 'src', 'shared', 'categories.ts'), join(root, 'package-lock.json'));
  return sources.some((p) => newestIn(p) > built);
};

const buildConsole = () => {
  if (!packages.includes('packages/console') || !existsSync(join(consoleDir, 'vite.config.mts')) || !consoleStale()) process.exit(0);
  let vite;
  try {
    vite = join(require.resolve('vite/package.json', { paths: [consoleDir, root] }), '..', 'bin', 'vite.js');
  } catch {
    process.stderr.write('support-sla: vite is not installed (run `npm ci`): the web console is not built\n');
    failed('console build', 1, null);
    return;
  }
  const consoleStarted = Date.now();
  process.stderr.write('support-sla: building the web console (vite build, a few seconds)…\n');
  const build = spawn(process.execPath, [vite, 'build'], { cwd: consoleDir, stdio: 'inherit' });
  build.on('exit', (code, signal) => {
    if (code !== 0) {
      failed('web console build (vite build in packages/console)', code, signal);
      return;
    }
    writeFileSync(consoleStamp, `${new Date().toISOString()}\n`);
    process.stderr.write(`support-sla: web console built in ${((Date.now() - consoleStarted) / 1000).toFixed(1)} s (served at /console/)\n`);
    process.exit(0);
  });
};

const child = spawn(process.execPath, [tsc, '-b', ...packages], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  clearTimeout(announce);
  clearInterval(ticker);
  if (code === 0) {
    if (announced) process.stderr.write(`support-sla: compiled in ${seconds()} s\n`);
    buildConsole();
    return;
  }
  failed('TypeScript build', code, signal);
});
