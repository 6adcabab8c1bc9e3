import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite.event-store';
import { registerAuditCommands } from './index';
import { FIXTURE, writeAuditFixture } from './testing/audit-fixture';

/**
 * `audit report` prints the body of GET /reports/compliance, which has no final newline (issue 22
 * asked about it). Decided: piped or redirected the bytes stay exactly the body, so `cmp` against
 * the service keeps proving they agree; on a terminal one newline is added so the prompt starts
 * on its own line. The cmp against a real service runs in src/readme.int.test.ts.
 */
let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-newline-'));
  db = path.join(dir, 'events.sqlite');
  const store = SqliteEventStore.open(db);
  await writeAuditFixture(store);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = async (isTTY: boolean, format: 'json' | 'csv'): Promise<string> => {
  let out = '';
  const program = new Command('support-sla').exitOverride();
  registerAuditCommands(program, { stdout: { write: (text: string) => (out += text), isTTY }, stderr: { write: () => true, isTTY: false } as never, env: {}, cwd: dir });
  await program.parseAsync(['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--as-of', FIXTURE.period.to, '--format', format, '--db', db, '--quiet'], { from: 'user' });
  return out;
};

it.each(['json', 'csv'] as const)('ends %s with exactly one newline on a terminal, and is the bare body otherwise', async (format) => {
  const piped = await report(false, format);
  const terminal = await report(true, format);
  expect(piped.length).toBeGreaterThan(0);
  expect(terminal).toBe(piped.endsWith('\n') ? piped : `${piped}\n`);
  expect(terminal.endsWith('\n\n')).toBe(false);
  if (format === 'json') expect(piped.endsWith('}')).toBe(true);
});
