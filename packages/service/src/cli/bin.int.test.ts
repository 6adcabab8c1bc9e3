import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * What a user runs after the README's install command: the workspace links `support-sla` into
 * node_modules/.bin (through the committed shim, so it exists even before the first build).
 */
const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'node_modules', '.bin', 'support-sla');

test('npm links the support-sla command to the committed shim', () => {
  expect(existsSync(bin)).toBe(true);
  expect(realpathSync(bin)).toBe(path.join(root, 'packages', 'service', 'bin', 'support-sla.js'));
});

test('`npx --no-install support-sla --help` lists the token and audit commands', () => {
  const out = execFileSync('npx', ['--no-install', 'support-sla', '--help'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/token \[options\]/);
  expect(out).toMatch(/audit/);
});
