import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson, COMPLIANCE_CSV_COLUMNS, complianceReport, readModelsProjection, whatIfReport } from '@support-sla/projections';
import { envelopeOf, toDomainEvent } from '../../application/event-mapping';
import { renderComplianceReport } from '../../application/report-rendering';
import { STREAM_PREFIXES } from '../../event-store/streams';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite.event-store';
import { FIXTURE, policyV2, writeAuditFixture } from './testing/audit-fixture';
import { AUDIT_MODULE, runCli, type CliRun } from './testing/run-cli';
import { tamperedCopy } from './testing/tampered-copy';

let dir: string;
let db: string;
let appended: number;

const fileHash = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The report the service computes: its own event mapping, the projections package, canonical JSON. */
async function serviceReport(file: string, policy?: number): Promise<string> {
  const store = SqliteEventStore.open(file);
  try {
    const projection = readModelsProjection();
    let models = projection.initialState();
    for (const stored of await store.readAll({ streamPrefixes: STREAM_PREFIXES })) models = projection.evolve(models, toDomainEvent(stored), envelopeOf(stored));
    // The service renders it with this function too; compare with its inputs spelled out as well.
    const body = renderComplianceReport(models, FIXTURE.period, 'json', policy);
    expect(body).toBe(canonicalJson(policy === undefined ? complianceReport(models, FIXTURE.period) : whatIfReport(models, FIXTURE.period, policy)));
    return body;
  } finally {
    await store.close();
  }
}

const tampered = (name: string, change: (db: Database.Database) => void): string => tamperedCopy(dir, db, name, change);

const expectOneLineError = (run: CliRun, pattern: RegExp): void => {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-cli-'));
  db = path.join(dir, 'events.sqlite');
  const store = SqliteEventStore.open(db);
  appended = await writeAuditFixture(store);
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit history', () => {
  it('prints the timeline of a ticket found by number, with both timestamps and the SLA state after each event', async () => {
    const run = await runCli(['audit', 'history', FIXTURE.phone.number, '--db', db]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Ticket ${FIXTURE.phone.number} (${FIXTURE.phone.id}), policy version 1, 8 events`);
    for (const type of ['TicketOpened', 'TicketAcknowledged', 'TicketClassified', 'TicketResponded', 'TicketResolved', 'TicketClosed']) {
      expect(run.stdout).toContain(type);
    }
    // The phone message: left Friday evening, typed in on Monday morning.
    expect(run.stdout).toContain('2026-03-06T22:30:00Z');
    expect(run.stdout).toContain('2026-03-09T12:10:00Z');
    expect(run.stdout).toContain('(+2d 13h 40m later)');
    expect(run.stdout).toMatch(/agent-1/);
    // Premium confirmation: 2 business hours from Friday 17:30 EST (30 min Friday, 90 min Monday) is
    // due 09:30 EDT Monday; the response confirmed it at 10:00 EDT: breached.
    expect(run.stdout).toMatch(/breached\s*│[^\n]*\n[^\n]*stopped 2026-03-09T14:00:00Z/);
  });

  it('prints JSON with --json, finding the ticket by id', async () => {
    const run = await runCli(['audit', 'history', FIXTURE.waiting.id, '--db', db, '--json']);
    expect(run.code).toBe(0);
    const timeline = JSON.parse(run.stdout) as {
      ticketNumber: string;
      entries: { revision: number; type: string; actorId: string; occurredAt: string; recordedAt: string; sla: { confirmation: { status: string } } }[];
    };
    expect(timeline.ticketNumber).toBe(FIXTURE.waiting.number);
    expect(timeline.entries.map((e) => e.type)).toEqual([
      'TicketOpened',
      'TicketQueued',
      'TicketClassified',
      'TicketQueued',
      'TicketAwaitingCustomer',
      'CustomerReplied',
      // The response also confirms a ticket nobody had confirmed yet.
      'TicketAcknowledged',
      'TicketResponded',
    ]);
    expect(timeline.entries.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(timeline.entries[5]).toMatchObject({ actorId: 'user-tess', occurredAt: '2026-03-11T13:00:00Z', recordedAt: '2026-03-11T13:00:00.000Z' });
    // A wait on the customer pauses resolution only (issue 19): the confirmation kept running
    // through the wait, past its 4 business hours, and is not paused while the ticket waits.
    expect(timeline.entries[7]?.sla.confirmation.status).toBe('breached');
    expect(timeline.entries[4]?.sla.confirmation.status).not.toBe('paused');
  });
});

describe('audit as-of', () => {
  it('separates what had happened from what the system knew (a phone message entered late)', async () => {
    const saturday = '2026-03-07T12:00:00-05:00';
    const occurred = await runCli(['audit', 'as-of', FIXTURE.phone.number, saturday, '--db', db, '--reading', 'occurred', '--json']);
    const recorded = await runCli(['audit', 'as-of', FIXTURE.phone.number, saturday, '--db', db, '--reading', 'recorded', '--json']);
    expect([occurred.code, recorded.code]).toEqual([0, 0]);
    const o = JSON.parse(occurred.stdout) as { state: { status: string } | null; sla: { confirmation: { status: string } } | null; lateEntries: unknown[] };
    const r = JSON.parse(recorded.stdout) as { state: unknown; lateEntries: { revision: number; type: string }[] };
    expect(o.state?.status).toBe('open');
    expect(o.sla?.confirmation.status).toBe('running');
    expect(r.state).toBeNull();
    expect(r.lateEntries).toEqual([expect.objectContaining({ revision: 0, type: 'TicketOpened' })]);
  });

  it('uses the policy version the ticket pinned and prints a readable view', async () => {
    const run = await runCli(['audit', 'as-of', FIXTURE.afterV2.number, '2026-03-16T18:00:00Z', '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Ticket ${FIXTURE.afterV2.number} (${FIXTURE.afterV2.id}) as of 2026-03-16T18:00:00Z`);
    expect(run.stdout).toContain('Policy version: 2');
    // Version 2 gives Professional confirmations 2 business hours: received 09:00 EDT, due 11:00 EDT.
    expect(run.stdout).toMatch(/confirmation[^\n]*2026-03-16T15:00:00Z/);
  });

  it('rejects an instant without an offset', async () => {
    expectOneLineError(await runCli(['audit', 'as-of', FIXTURE.phone.id, '2026-03-07T12:00:00', '--db', db]), /with an offset.*has no offset/);
  });
});

describe('audit report', () => {
  it('gives the same JSON, byte for byte, as the service computes from the same events', async () => {
    const run = await runCli(['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--db', db]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await serviceReport(db));
    const report = JSON.parse(run.stdout) as { total: { received: number; breachedTickets: string[] }; outages: { count: number } };
    expect(report.total.received).toBe(5);
    expect(report.total.breachedTickets).toContain(FIXTURE.late.number);
    expect(report.outages.count).toBe(1);
  });

  it('puts a what-if under another policy version beside it (a version number or a policy file)', async () => {
    const byVersion = await runCli(['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--db', db, '--policy', '1']);
    expect(byVersion.code).toBe(0);
    expect(byVersion.stdout).toBe(await serviceReport(db, 1));
    expect((JSON.parse(byVersion.stdout) as { whatIf: { policy: number } }).whatIf.policy).toBe(1);

    const file = path.join(dir, 'policy-v3.json');
    writeFileSync(file, JSON.stringify({ ...policyV2, version: 3 }));
    const byFile = await runCli(['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--db', db, '--policy', file, '--format', 'csv']);
    expect(byFile.code).toBe(0);
    const lines = byFile.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(COMPLIANCE_CSV_COLUMNS.join(','));
    expect(lines.some((l) => l.startsWith('pinned,'))).toBe(true);
    expect(lines.some((l) => l.startsWith('v3,'))).toBe(true);
  });

  it('refuses a policy file that is not a policy, and a version never published', async () => {
    const file = path.join(dir, 'not-a-policy.json');
    writeFileSync(file, JSON.stringify({ version: 3 }));
    const args = ['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--db', db];
    expectOneLineError(await runCli([...args, '--policy', file]), /is not an SLA policy/);
    expectOneLineError(await runCli([...args, '--policy', '7']), /policy version 7 was never published/);
    expectOneLineError(await runCli([...args, '--policy', path.join(dir, 'missing.json')]), /cannot read policy file .*ENOENT/);
    expectOneLineError(await runCli(['audit', 'report', '--from', FIXTURE.period.to, '--to', FIXTURE.period.from, '--db', db]), /--to .* must be after --from/);
  });
});

describe('audit verify', () => {
  it('exits 0 on the untouched log, and never writes to the file', async () => {
    const before = fileHash(db);
    const run = await runCli(['audit', 'verify', '--db', db]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Log intact: ${appended} events in 7 streams`);
    expect(fileHash(db)).toBe(before);
  });

  it('names the stream and revision of an event altered by one byte', async () => {
    const file = tampered('one-byte', (w) => {
      const row = w.prepare("SELECT position, data FROM events WHERE stream_id = 'ticket-t-waiting' AND revision = 4").get() as { position: number; data: string };
      const at = row.data.indexOf('Which');
      const altered = `${row.data.slice(0, at)}w${row.data.slice(at + 1)}`; // "Which" → "which"
      expect(altered).not.toBe(row.data);
      w.prepare('UPDATE events SET data = ? WHERE position = ?').run(altered, row.position);
    });
    const run = await runCli(['audit', 'verify', '--db', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('First problem: altered event in stream ticket-t-waiting at revision 4');
    const json = JSON.parse((await runCli(['audit', 'verify', '--db', file, '--json'])).stdout) as { intact: boolean; first: unknown };
    expect(json.intact).toBe(false);
    expect(json.first).toMatchObject({ kind: 'altered', streamId: 'ticket-t-waiting', revision: '4' });

    // The ticket's own views still show the log as stored, with a warning that it was altered.
    const history = await runCli(['audit', 'history', FIXTURE.waiting.number, '--db', file]);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('TicketAwaitingCustomer');
    expect(history.stderr).toBe(
      'support-sla audit: warning: altered event in stream ticket-t-waiting at revision 4 (its content does not match its stored hash); the output shows the events as stored — run audit verify\n',
    );
    expect((await runCli(['audit', 'history', FIXTURE.phone.number, '--db', file])).stderr).toBe('');
  });

  it('names an event whose stored bytes no longer parse', async () => {
    const file = tampered('broken-json', (w) => {
      w.prepare("UPDATE events SET metadata = substr(metadata, 2) WHERE stream_id = 'outage-board' AND revision = 1").run();
    });
    const run = await runCli(['audit', 'verify', '--db', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('First problem: altered event in stream outage-board at revision 1');
    expect(run.stdout).toContain('not valid JSON');
  });

  it('names the missing revision after an event is deleted', async () => {
    const file = tampered('deleted', (w) => {
      w.prepare("DELETE FROM events WHERE stream_id = 'ticket-t-phone' AND revision = 2").run();
    });
    const run = await runCli(['audit', 'verify', '--db', file, '--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { first: unknown; findings: unknown[] };
    expect(result.first).toMatchObject({ kind: 'missing', streamId: 'ticket-t-phone', revision: '2' });
    expect(result.findings).toHaveLength(1);
  });

  it('refuses a timeline whose opening event was deleted', async () => {
    const file = tampered('no-opening', (w) => {
      w.prepare("DELETE FROM events WHERE stream_id = 'ticket-t-late' AND revision = 0").run();
    });
    expectOneLineError(
      await runCli(['audit', 'history', FIXTURE.late.id, '--db', file]),
      /^support-sla audit: the stream of ticket t-late does not start with TicketOpened \(revision 0 is missing .*\); run audit verify$/m,
    );
  });

  it('notices the last event of the log deleted, which no hash chain can show', async () => {
    const file = tampered('tail', (w) => {
      w.prepare('DELETE FROM events WHERE position = (SELECT max(position) FROM events)').run();
    });
    const run = await runCli(['audit', 'verify', '--db', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`the event at global position ${appended} was deleted from the end of the log`));
  });

  it('calls two swapped events reordered', async () => {
    const file = tampered('swapped', (w) => {
      const swap = w.transaction(() => {
        w.prepare("UPDATE events SET revision = -1 WHERE stream_id = 'ticket-t-waiting' AND revision = 3").run();
        w.prepare("UPDATE events SET revision = 3 WHERE stream_id = 'ticket-t-waiting' AND revision = 4").run();
        w.prepare("UPDATE events SET revision = 4 WHERE stream_id = 'ticket-t-waiting' AND revision = -1").run();
      });
      swap();
    });
    const run = await runCli(['audit', 'verify', '--db', file, '--json']);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { first: unknown }).first).toMatchObject({ kind: 'reordered', streamId: 'ticket-t-waiting', revision: '3' });
  });
});

describe('the command line stays light', () => {
  it('loads no NestJS module', async () => {
    const script = `require(${JSON.stringify(AUDIT_MODULE)}); process.stdout.write(String(Object.keys(require.cache).filter((k) => k.includes('@nestjs')).length))`;
    const loaded = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', script], (error, stdout) => (error === null ? resolve(stdout) : reject(error))),
    );
    expect(loaded).toBe('0');
  });
});

describe('bad arguments get one line and a non-zero exit', () => {
  it('an unknown ticket', async () => {
    expectOneLineError(await runCli(['audit', 'history', 'SS-999999', '--db', db]), /unknown ticket SS-999999/);
  });

  it('a file that does not exist, and one that is not SQLite', async () => {
    expectOneLineError(await runCli(['audit', 'verify', '--db', path.join(dir, 'nope.sqlite')]), /no such SQLite file/);
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'these are not the events you are looking for\n'.repeat(200));
    expectOneLineError(await runCli(['audit', 'history', 'x', '--db', text]), /file is not a database/);
  });

  it('the default file when there is none', async () => {
    expectOneLineError(await runCli(['audit', 'verify'], { SUPPORT_SLA_DB: path.join(dir, 'absent', 'db.sqlite') }), /no such SQLite file/);
  });

  it('a wrong connection string, and a server that is not there', async () => {
    expectOneLineError(await runCli(['audit', 'verify', '--esdb', 'http://localhost:2113']), /invalid EventStoreDB connection string/);
    expectOneLineError(await runCli(['audit', 'verify', '--esdb', 'esdb://127.0.0.1:1?tls=false']), /unavailable|ECONNREFUSED/i);
  });

  it('a missing argument or a bad choice', async () => {
    expectOneLineError(await runCli(['audit', 'as-of', FIXTURE.phone.id, '--db', db]), /missing required argument 'instant'/);
    const choice = await runCli(['audit', 'report', '--from', FIXTURE.period.from, '--to', FIXTURE.period.to, '--format', 'xml', '--db', db]);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toMatch(/argument 'xml' is invalid/);
  });
});
