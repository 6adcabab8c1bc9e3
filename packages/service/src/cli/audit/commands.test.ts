import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Command, CommanderError } from 'commander';
import { InMemoryEventStore } from '../../event-store/in-memory/in-memory.event-store';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite.event-store';
import type { CliIo } from '../cli-io';
import { registerAuditCommands } from './index';
import type { AuditRecord, AuditSource } from './source/audit-source';
import { EventStoreAuditSource } from './source/event-store.source';
import { openSqliteAuditSource } from './source/sqlite-readonly.source';
import { FIXTURE, writeAuditFixture } from './testing/audit-fixture';
import { CaptureStream as Capture } from './testing/capture-stream';

// The audit commands are a command group of the `support-sla` program (COMMAND_GROUPS in cli/program.ts).
const asCommandGroup: (program: Command, io: CliIo) => unknown = registerAuditCommands;

let dir: string;
let db: string;
let appended: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-commands-'));
  db = path.join(dir, 'events.sqlite');
  const store = SqliteEventStore.open(db);
  appended = await writeAuditFixture(store);
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `support-sla <args>` in process, the way the `support-sla` program's runner does. */
async function run(args: string[], stderr = new Capture()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const program = new Command('support-sla').exitOverride();
  asCommandGroup(program, { stdout, stderr, env: {}, cwd: dir });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, stdout: stdout.text, stderr: stderr.text };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { code: error.exitCode, stdout: stdout.text, stderr: stderr.text };
  }
}

const drain = async (records: AsyncIterable<AuditRecord>): Promise<string[]> => {
  const out: string[] = [];
  for await (const r of records) out.push(`${r.position.commit.toString()} ${r.streamId}@${r.revision.toString()}`);
  return out;
};

describe('registerAuditCommands in process', () => {
  it('draws the progress bar on a terminal standard error only, and not with --quiet', async () => {
    const terminal = new Capture(true);
    const verified = await run(['audit', 'verify', '--db', 'events.sqlite'], terminal);
    expect(verified.code).toBe(0);
    expect(terminal.text).toMatch(new RegExp(`verifying .*100% \\| ${appended} events \\| [\\d,]+ events/s`));
    expect(verified.stdout).toMatch(/^Log intact/);
    expect(verified.stdout).not.toContain('events/s');

    const quiet = new Capture(true);
    expect((await run(['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--db', db, '--quiet'], quiet)).code).toBe(0);
    expect(quiet.text).toBe('');
  });

  it('carries the exit status in a CommanderError: 1 when the log is altered, 2 when the command cannot run', async () => {
    const copy = path.join(dir, 'altered.sqlite');
    const source = new Database(db, { readonly: true });
    await source.backup(copy);
    source.close();
    const w = new Database(copy);
    w.prepare("UPDATE events SET data = replace(data, 'On it.', 'On it!') WHERE stream_id = 'ticket-t-waiting'").run();
    w.close();
    const altered = await run(['audit', 'verify', '--db', copy]);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toContain('First problem: altered event in stream ticket-t-waiting at revision 7');

    const unknown = await run(['audit', 'as-of', 'nobody', '2026-03-10T00:00:00Z', '--db', db]);
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: `support-sla audit: unknown ticket nobody (neither a ticket id nor a ticket number in SQLite file ${db})\n` });
    expect((await run(['audit', 'verify', '--db', db, '--esdb', 'esdb://x'])).stderr).toBe('support-sla audit: give either --db or --esdb, not both\n');
    expect((await run(['audit', 'history'])).code).toBe(2);
  });
});

describe('audit sources', () => {
  it('read the whole log in order across pages, from SQLite and through the port', async () => {
    const whole = openSqliteAuditSource(db);
    const paged = openSqliteAuditSource(db, { pageSize: 3 });
    const all = await drain(whole.readAll());
    expect(all).toHaveLength(appended);
    expect(await drain(paged.readAll())).toEqual(all);
    expect(await whole.findTicketIdByNumber(FIXTURE.late.number.toLowerCase())).toBe(FIXTURE.late.id);
    expect(await whole.missingTail()).toBeUndefined();
    await Promise.all([whole.close(), paged.close()]);

    const memory = new InMemoryEventStore();
    await writeAuditFixture(memory);
    const port: AuditSource = new EventStoreAuditSource(memory, 'memory', 4);
    expect((await drain(port.readAll())).map((line) => line.split(' ')[1])).toEqual(all.map((line) => line.split(' ')[1]));
    expect(await port.findTicketIdByNumber(FIXTURE.outage.number)).toBe(FIXTURE.outage.id);
    expect(await port.findTicketIdByNumber('SS-424242')).toBeUndefined();
    expect((await port.readStream('ticket-t-phone')).map((r) => r.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  });
});
