import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEsdbEventStore } from '../../event-store/esdb/esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../../event-store/esdb/esdb-test-server.loader';
import { eventHash } from '../../hash-chain';
import { LogSealer } from '../../seals/log-sealer';
import { fileSink } from '../../seals/seal-sinks';
import { testSealKey } from '../../seals/seals.test-support';
import { writeAuditFixture } from './testing/audit-fixture';
import { runCli } from './testing/run-cli';

/** The parts of the test server's in-memory log this test touches to play the attacker. */
interface ServerLog {
  records: { streamName: string; revision: bigint; type: string; data: Uint8Array; customMetadata: Uint8Array }[];
}

jest.setTimeout(60_000);

let server: EsdbTestServerHandle;
let dir: string;
let sealFile: string;

beforeAll(async () => {
  server = await startEsdbTestServer();
  dir = mkdtempSync(path.join(tmpdir(), 'audit-seal-esdb-'));
  sealFile = path.join(dir, 'seals.jsonl');
  const esdb = createEsdbEventStore(server.connectionString);
  await writeAuditFixture(esdb);
  const key = testSealKey();
  await new LogSealer({ store: esdb, key: () => key, clock: () => new Date('2026-03-19T00:00:00Z'), sinks: [fileSink(sealFile)] }).seal();
  await esdb.close();
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit verify --seal against EventStoreDB', () => {
  it('proves the sealed log, then names the stream and revision of a newest event rewritten on the server with a fresh hash', async () => {
    const intact = await runCli(['audit', 'verify', '--esdb', server.connectionString, '--seal', sealFile]);
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/Up to global position \d+(\/\d+)? the log is as sealed/);

    const log = (server.data as ServerLog).records;
    const index = log.reduce((best, r, i) => (r.streamName === 'ticket-t-phone' && (best < 0 || r.revision > log[best]!.revision) ? i : best), -1);
    const newest = log[index]!;
    expect(newest.type).toBe('TicketClosed');
    const data = { ...(JSON.parse(Buffer.from(newest.data).toString('utf8')) as Record<string, unknown>), closedBy: 'someone else' };
    const { $correlationId, $causationId, ...metadata } = JSON.parse(Buffer.from(newest.customMetadata).toString('utf8')) as Record<string, unknown>;
    const hash = eventHash({ streamId: newest.streamName, revision: newest.revision, type: newest.type, data, metadata: metadata as never });
    log[index] = {
      ...newest,
      data: new Uint8Array(Buffer.from(JSON.stringify(data))),
      customMetadata: new Uint8Array(Buffer.from(JSON.stringify({ ...metadata, hash, $correlationId, $causationId }))),
    };
    // The hash chains cannot tell: the stream's last event links to the one before and matches its new hash.
    expect((await runCli(['audit', 'verify', '--esdb', server.connectionString])).code).toBe(0);

    const run = await runCli(['audit', 'verify', '--esdb', server.connectionString, '--seal', sealFile, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { findings: unknown[] }).findings).toEqual([
      expect.objectContaining({ kind: 'rewritten', streamId: 'ticket-t-phone', revision: newest.revision.toString() }),
    ]);
  });
});
