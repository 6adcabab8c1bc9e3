import { createPublicKey } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite.event-store';
import { eventHash } from '../../hash-chain';
import { LogSealer } from '../../seals/log-sealer';
import { decodeSeal, SEAL_STREAM, type Seal } from '../../seals/seal';
import { fileSink, stdoutSink } from '../../seals/seal-sinks';
import { testSealKey } from '../../seals/seals.test-support';
import { writeAuditFixture } from './testing/audit-fixture';
import { tamperedCopy } from './testing/tampered-copy';
import { runCli, type CliRun } from './testing/run-cli';

/**
 * `audit verify --seal`: the SQLite fixture is sealed by the service's own sealer, then copies
 * of it are tampered with the way the database's owner could — cutting off the tail, deleting a
 * stream's newest event, rewriting events with freshly computed hashes — each time covering the
 * tracks so that the hash chains and the position sequence alone no longer show anything.
 */
jest.setTimeout(60_000);

let dir: string;
let db: string;
let sealFile: string;
let publicKeyPem: string;
let appended: number;
let seal: Seal;
const key = testSealKey();

interface Row {
  position: number;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

const tampered = (name: string, change: (db: Database.Database) => void): string => tamperedCopy(dir, db, name, change);

/** Makes the AUTOINCREMENT counter forget every position above the last row, as a careful forger would. */
const forgetDeletedPositions = (w: Database.Database): void => {
  w.prepare("UPDATE sqlite_sequence SET seq = (SELECT max(position) FROM events) WHERE name = 'events'").run();
};

/** Deletes rows and closes the gap in the positions, so no hole in the sequence shows. */
const deleteAndRenumber = (w: Database.Database, where: string): void => {
  w.transaction(() => {
    const positions = w.prepare(`SELECT position FROM events WHERE ${where} ORDER BY position DESC`).pluck().all() as number[];
    for (const p of positions) {
      w.prepare('DELETE FROM events WHERE position = ?').run(p);
      for (const later of w.prepare('SELECT position FROM events WHERE position > ? ORDER BY position').pluck().all(p) as number[]) {
        w.prepare('UPDATE events SET position = ? WHERE position = ?').run(later - 1, later);
      }
    }
    forgetDeletedPositions(w);
  })();
};

/** Rewrites a stream from `fromRevision` on: `edit` changes the data, then every hash and link from there is computed afresh. */
const rewriteWithFreshHashes = (w: Database.Database, streamId: string, fromRevision: number, edit: (data: Record<string, unknown>) => Record<string, unknown>): void => {
  const rows = w.prepare('SELECT position, stream_id, revision, type, data, metadata FROM events WHERE stream_id = ? ORDER BY revision').all(streamId) as Row[];
  let previousHash = '';
  for (const row of rows) {
    const metadata = JSON.parse(row.metadata) as Record<string, unknown> & { hash: string; previousHash: string };
    if (row.revision < fromRevision) {
      previousHash = metadata.hash;
      continue;
    }
    const data = row.revision === fromRevision ? edit(JSON.parse(row.data) as Record<string, unknown>) : (JSON.parse(row.data) as Record<string, unknown>);
    const linked = { ...metadata, previousHash };
    const hash = eventHash({ streamId, revision: BigInt(row.revision), type: row.type, data, metadata: linked as unknown as Parameters<typeof eventHash>[0]['metadata'] });
    w.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(JSON.stringify(data), JSON.stringify({ ...linked, hash }), row.position);
    previousHash = hash;
  }
};

const lastOf = (file: string, streamId: string): Row =>
  new Database(file, { readonly: true }).prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(streamId) as Row;

interface Json {
  intact: boolean;
  first: { kind: string; streamId: string | null; revision: string | null; detail: string } | null;
  findings: { kind: string; streamId: string | null; revision: string | null; position: string; detail: string }[];
  seal?: { proven: boolean; sequence: number; headPosition: string | null; sealsChecked: number; chainComplete: boolean };
}

const verifyJson = async (file: string, ...extra: string[]): Promise<{ run: CliRun; json: Json }> => {
  const run = await runCli(['audit', 'verify', '--db', file, '--json', ...extra]);
  return { run, json: JSON.parse(run.stdout) as Json };
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-seal-'));
  db = path.join(dir, 'events.sqlite');
  sealFile = path.join(dir, 'seals.jsonl');
  publicKeyPem = path.join(dir, 'seal-public.pem');
  writeFileSync(publicKeyPem, createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }));
  const store = SqliteEventStore.open(db);
  appended = await writeAuditFixture(store);
  const [made] = await new LogSealer({ store, key: () => key, clock: () => new Date('2026-03-19T00:00:00Z'), sinks: [fileSink(sealFile)] }).seal();
  seal = made!.seal;
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit verify --seal on the untouched log', () => {
  it('proves the log up to the seal is as sealed, with the signature checked against the pinned public key', async () => {
    expect(seal).toMatchObject({ sequence: 0, headPosition: String(appended), events: appended, streams: 7 });
    const run = await runCli(['audit', 'verify', '--db', db, '--seal', sealFile, '--seal-public-key', publicKeyPem]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Log intact: ${appended + 1} events in 8 streams`);
    expect(run.stdout).toContain(`Seal #0 of 2026-03-19T00:00:00.000Z, signed by key ${key.keyId}, as given; 1 seal checked, the whole chain from the first.`);
    expect(run.stdout).toContain(`Up to global position ${appended} the log is as sealed: nothing was removed or rewritten (${appended} events in 7 streams, digest ${seal.digest}).`);
    const { json } = await verifyJson(db, '--seal', sealFile);
    expect(json).toMatchObject({ intact: true, findings: [], seal: { proven: true, sequence: 0, headPosition: String(appended), chainComplete: true } });
  });

  it("also reads the seal from a saved copy of the service's standard output", async () => {
    const saved = path.join(dir, 'service.log');
    writeFileSync(saved, '{"level":30,"msg":"support-sla listening"}\nnot json at all\n');
    await stdoutSink({ write: (text: string) => appendFileSync(saved, text) }).write(seal);
    const run = await runCli(['audit', 'verify', '--db', db, '--seal', saved]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('the log is as sealed');
  });
});

describe('audit verify --seal catches what the hash chains cannot', () => {
  it('the tail of the log cut off (the seal event with it, the position counter wound back): names the last sealed event', async () => {
    const lastTwo = new Database(db, { readonly: true }).prepare('SELECT stream_id, revision FROM events WHERE position IN (?, ?) ORDER BY position').all(appended - 1, appended) as { stream_id: string; revision: number }[];
    const file = tampered('tail', (w) => {
      w.prepare('DELETE FROM events WHERE position > ?').run(appended - 2);
      forgetDeletedPositions(w);
    });
    // Without the seal, nothing shows: every chain is whole and the positions have no gap.
    expect((await runCli(['audit', 'verify', '--db', file])).code).toBe(0);

    const { run, json } = await verifyJson(file, '--seal', sealFile);
    expect(run.code).toBe(1);
    expect(json.intact).toBe(false);
    const last = lastTwo[1]!;
    expect(json.findings).toContainEqual(
      expect.objectContaining({ kind: 'truncated', streamId: last.stream_id, revision: String(last.revision), position: String(appended) }),
    );
    expect(json.findings.find((f) => f.kind === 'truncated')?.detail).toMatch(new RegExp(`the log ends at global position ${appended - 2}, but seal #0 covers it up to ${appended}`));
    // Each stream that lost its newest events is named, and so is the seal no longer in the log.
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'missing', streamId: last.stream_id, revision: String(lastTwo[0]!.stream_id === last.stream_id ? lastTwo[0]!.revision : last.revision) }));
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'missing', streamId: SEAL_STREAM, revision: '0' }));
    expect(json.seal?.proven).toBe(false);

    const text = await runCli(['audit', 'verify', '--db', file, '--seal', sealFile]);
    expect(text.stdout).toMatch(new RegExp(`log truncated before the event in stream ${last.stream_id} at revision ${last.revision} \\(global position ${appended}\\)`));
    expect(text.stdout).toContain(`Up to global position ${appended} the log is NOT as sealed`);
  });

  it("a stream's newest event deleted and the later positions renumbered: names the stream and revision", async () => {
    const newest = lastOf(db, 'ticket-t-phone');
    expect(newest.type).toBe('TicketClosed');
    const file = tampered('newest', (w) => deleteAndRenumber(w, `stream_id = 'ticket-t-phone' AND revision = ${newest.revision}`));
    expect((await runCli(['audit', 'verify', '--db', file])).code).toBe(0);

    const { run, json } = await verifyJson(file, '--seal', sealFile);
    expect(run.code).toBe(1);
    expect(json.first).toMatchObject({ kind: 'missing', streamId: 'ticket-t-phone', revision: String(newest.revision) });
    expect(json.first?.detail).toMatch(new RegExp(`^revision ${newest.revision} is gone: seal #0 recorded revision ${newest.revision} \\(hash [0-9a-f]{12}…\\) as the stream's last event, at global position ${newest.position}`));
  });

  it("a stream's newest event deleted, the gap left: the seal names what the position sequence only counts", async () => {
    const newest = lastOf(db, 'ticket-t-late');
    const file = tampered('newest-gap', (w) => w.prepare('DELETE FROM events WHERE position = ?').run(newest.position));
    const plain = await verifyJson(file);
    expect(plain.json.first).toMatchObject({ kind: 'missing', streamId: null, revision: null });
    const { json } = await verifyJson(file, '--seal', sealFile);
    expect(json.findings).toEqual([expect.objectContaining({ kind: 'missing', streamId: 'ticket-t-late', revision: String(newest.revision), position: String(newest.position) })]);
  });

  it("a stream's newest event rewritten with a fresh hash: names the stream and revision", async () => {
    const newest = lastOf(db, 'ticket-t-waiting');
    expect(newest.type).toBe('TicketResponded');
    const file = tampered('rewritten', (w) => rewriteWithFreshHashes(w, 'ticket-t-waiting', newest.revision, (data) => ({ ...data, message: 'Answered long ago.' })));
    expect((await runCli(['audit', 'verify', '--db', file])).code).toBe(0);

    const { run, json } = await verifyJson(file, '--seal', sealFile);
    expect(run.code).toBe(1);
    expect(json.findings).toEqual([expect.objectContaining({ kind: 'rewritten', streamId: 'ticket-t-waiting', revision: String(newest.revision), position: String(newest.position) })]);
    expect(json.first?.detail).toMatch(/is not the [0-9a-f]{12}… seal #0 recorded: the stream was rewritten at or before this revision/);
  });

  it('an older event rewritten and every later hash and link in its stream computed afresh: the stream is named at its sealed head', async () => {
    const newest = lastOf(db, 'ticket-t-waiting');
    const file = tampered('rewritten-deep', (w) => rewriteWithFreshHashes(w, 'ticket-t-waiting', 4, (data) => ({ ...data, reason: 'Nothing was asked.' })));
    expect((await runCli(['audit', 'verify', '--db', file])).code).toBe(0);
    const { run, json } = await verifyJson(file, '--seal', sealFile);
    expect(run.code).toBe(1);
    expect(json.first).toMatchObject({ kind: 'rewritten', streamId: 'ticket-t-waiting', revision: String(newest.revision) });
  });
});

describe('the seals themselves', () => {
  it('a seal edited in the file is not trusted, and nothing is proven by it', async () => {
    const edited = path.join(dir, 'edited.jsonl');
    writeFileSync(edited, `${JSON.stringify({ ...seal, events: seal.events - 1 })}\n`);
    const { run, json } = await verifyJson(db, '--seal', edited);
    expect(run.code).toBe(1);
    expect(json.findings).toEqual([expect.objectContaining({ kind: 'seal', streamId: null })]);
    expect(json.findings[0]!.detail).toMatch(/seal #0 at .*edited\.jsonl:1 cannot be trusted: its signature does not verify/);
  });

  it('a seal signed by another key than the one pinned is not trusted', async () => {
    const other = testSealKey();
    const otherPem = path.join(dir, 'other.pem');
    writeFileSync(otherPem, createPublicKey(other.privateKey).export({ type: 'spki', format: 'pem' }));
    const { run, json } = await verifyJson(db, '--seal', sealFile, '--seal-public-key', otherPem);
    expect(run.code).toBe(1);
    expect(json.first?.detail).toMatch(new RegExp(`signed by key ${key.keyId}, not by a key given with --seal-public-key \\(${other.keyId}\\)`));
    // The base64 key a seal carries is accepted as well.
    expect((await runCli(['audit', 'verify', '--db', db, '--seal', sealFile, '--seal-public-key', decodeSeal(JSON.parse(readFileSync(sealFile, 'utf8'))).publicKey])).code).toBe(0);
  });

  it('a missing seal file, a file with no seal, a key that is no key: one line, exit 2', async () => {
    const expectUsage = (run: CliRun, pattern: RegExp): void => {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(pattern);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    };
    expectUsage(await runCli(['audit', 'verify', '--db', db, '--seal', path.join(dir, 'none.jsonl')]), /no such seal file/);
    const empty = path.join(dir, 'empty.jsonl');
    writeFileSync(empty, '{"level":30}\n');
    expectUsage(await runCli(['audit', 'verify', '--db', db, '--seal', empty]), /no seal in .*empty\.jsonl/);
    expectUsage(await runCli(['audit', 'verify', '--db', db, '--seal', sealFile, '--seal-public-key', 'not-a-key']), /--seal-public-key not-a-key is neither/);
    expectUsage(await runCli(['audit', 'verify', '--db', db, '--seal-public-key', publicKeyPem]), /--seal-public-key needs --seal/);
  });
});
