import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEsdbEventStore } from '../../event-store/esdb/esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../../event-store/esdb/esdb-test-server.loader';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite.event-store';
import { FIXTURE, writeAuditFixture } from './testing/audit-fixture';
import { runCli } from './testing/run-cli';

/** The parts of the test server's in-memory log this test touches to play the attacker. */
interface ServerLog {
  records: { streamName: string; revision: bigint; data: Uint8Array }[];
}

let server: EsdbTestServerHandle;
let dir: string;
let db: string;

beforeAll(async () => {
  server = await startEsdbTestServer();
  const esdb = createEsdbEventStore(server.connectionString);
  await writeAuditFixture(esdb);
  await esdb.close();
  // The same history in SQLite, to show both stores give the same report.
  dir = mkdtempSync(path.join(tmpdir(), 'audit-esdb-'));
  db = path.join(dir, 'events.sqlite');
  const sqlite = SqliteEventStore.open(db);
  await writeAuditFixture(sqlite);
  await sqlite.close();
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the audit commands against EventStoreDB (wire-level test server)', () => {
  it('verifies the intact log', async () => {
    const run = await runCli(['audit', 'verify', '--esdb', server.connectionString]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Log intact: \d+ events in 7 streams \(EventStoreDB esdb:\/\/127\.0\.0\.1:\d+\?tls=false\)/);
  });

  it('finds a ticket by number and prints its history, reading the store the service is configured for', async () => {
    const run = await runCli(['audit', 'history', FIXTURE.phone.number, '--json'], {
      EVENT_STORE: 'esdb',
      ESDB_CONNECTION_STRING: server.connectionString,
    });
    expect(run.code).toBe(0);
    const timeline = JSON.parse(run.stdout) as { ticketId: string; entries: { occurredAt: string; recordedAt: string }[] };
    expect(timeline.ticketId).toBe(FIXTURE.phone.id);
    expect(timeline.entries[0]).toMatchObject({ occurredAt: '2026-03-06T22:30:00Z', recordedAt: '2026-03-09T12:10:00.000Z' });
  });

  it('re-derives the same compliance report, byte for byte, as from the SQLite copy of the history', async () => {
    const period = ['--from', FIXTURE.period.from, '--to', FIXTURE.period.to];
    const fromEsdb = await runCli(['audit', 'report', ...period, '--esdb', server.connectionString, '--policy', '2']);
    const fromSqlite = await runCli(['audit', 'report', ...period, '--db', db, '--policy', '2']);
    expect([fromEsdb.code, fromSqlite.code]).toEqual([0, 0]);
    expect(fromEsdb.stdout.length).toBeGreaterThan(100);
    expect(fromEsdb.stdout).toBe(fromSqlite.stdout);
  });

  it('names the stream and revision of an event altered by one byte on the server', async () => {
    const log = (server.data as ServerLog).records;
    const index = log.findIndex((r) => r.streamName === 'ticket-t-waiting' && r.revision === 4n);
    const record = log[index]!;
    const data = Buffer.from(record.data);
    const at = data.indexOf('Which');
    expect(at).toBeGreaterThan(0);
    data[at] = 'w'.charCodeAt(0);
    log[index] = { ...record, data: new Uint8Array(data) };
    const run = await runCli(['audit', 'verify', '--esdb', server.connectionString, '--json']);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { first: unknown }).first).toMatchObject({ kind: 'altered', streamId: 'ticket-t-waiting', revision: '4' });
  });
});
