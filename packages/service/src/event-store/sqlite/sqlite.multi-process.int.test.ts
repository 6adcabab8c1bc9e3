import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from './sqlite.event-store';

// The compiled store, so child processes need no TypeScript tooling (`tsc -b packages/service` builds it).
const COMPILED = resolve(__dirname, '..', '..', '..', 'dist', 'event-store', 'sqlite', 'sqlite.event-store.js');

// Each writer appends its events one by one to the same stream, reloading and retrying on conflict.
const WRITER = `
const { randomUUID } = require('node:crypto');
const { SqliteEventStore } = require(process.argv[1]);
const { WrongExpectedRevisionError } = require(process.argv[1].replace(/sqlite[\\\\/]sqlite\\.event-store\\.js$/, 'event-store.port.js'));
(async () => {
  const store = SqliteEventStore.open(process.argv[2]);
  const writer = process.argv[3];
  let conflicts = 0;
  for (let i = 0; i < Number(process.argv[4]); i++) {
    const event = { id: randomUUID(), type: 'Written', data: { writer, i }, metadata: { writer } };
    for (;;) {
      const last = (await store.readStream('ticket-shared', { direction: 'backwards', maxCount: 1 }))[0];
      try {
        await store.appendToStream('ticket-shared', [event], last ? last.revision : 'no-stream');
        break;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        conflicts++;
      }
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify({ writer, conflicts }));
})().catch((error) => { process.stderr.write(String(error && error.stack)); process.exit(1); });
`;

const runWriter = (file: string, writer: string, count: number): Promise<{ code: number | null; out: string; err: string }> =>
  new Promise((done) => {
    const child = spawn(process.execPath, ['-e', WRITER, COMPILED, file, writer, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => done({ code, out, err }));
  });

describe('SqliteEventStore across processes', () => {
  it('gives exactly one winner per revision when three processes append to one stream', async () => {
    expect(existsSync(COMPILED)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'support-sla-procs-'));
    const file = join(dir, 'events.sqlite');
    try {
      SqliteEventStore.open(file).db.close();
      const results = await Promise.all(['a', 'b', 'c'].map((w) => runWriter(file, w, 40)));
      for (const r of results) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
      const store = SqliteEventStore.open(file);
      const events = await store.readStream('ticket-shared');
      await store.close();
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 120 }, (_, i) => BigInt(i)));
      for (const w of ['a', 'b', 'c']) {
        expect(events.filter((e) => (e.data as { writer: string }).writer === w).map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
