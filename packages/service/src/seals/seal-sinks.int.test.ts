import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { LogSealer } from './log-sealer';
import { checkSignature, decodeSeal, type Seal } from './seal';
import { fileSink, stdoutSink, webhookSink, type SealSink } from './seal-sinks';
import { appendChained, testSealKey } from './seals.test-support';

const key = testSealKey();
let dir: string;
let server: Server;
let url: string;
let received: { body: string; type: string | undefined; authorization: string | undefined }[];
let failFirst: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-sinks-'));
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (failFirst > 0) {
        failFirst -= 1;
        res.writeHead(503).end();
        return;
      }
      received.push({ body, type: req.headers['content-type'], authorization: req.headers.authorization });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/seals`;
});
beforeEach(() => {
  received = [];
  failFirst = 0;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

const sealTwice = async (sinks: readonly SealSink[]): Promise<Seal[]> => {
  const store = new InMemoryEventStore();
  const sealer = new LogSealer({ store, key: () => key, clock: () => new Date('2026-03-10T13:00:00Z'), sinks });
  await appendChained(store, 'ticket-a', 1);
  const first = await sealer.seal();
  await appendChained(store, 'ticket-b', 1);
  const second = await sealer.seal();
  return [...first, ...second].map((m) => m.seal);
};

describe('seal copies', () => {
  it('the seal file gets one JSON line per seal, appended, each still verifying', async () => {
    const file = join(dir, 'deep', 'seals.jsonl');
    const seals = await sealTwice([fileSink(file)]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const read = lines.map((l) => decodeSeal(JSON.parse(l)));
    expect(read).toEqual(seals);
    expect(read.map(checkSignature)).toEqual([undefined, undefined]);
  });

  it('standard output gets {"event":"log-sealed","seal":…} per seal', async () => {
    let out = '';
    const seals = await sealTwice([stdoutSink({ write: (t: string) => (out += t) })]);
    expect(out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(seals.map((seal) => ({ event: 'log-sealed', seal })));
  });

  it('the webhook gets each seal as a JSON body, retried when the receiver fails for a moment', async () => {
    failFirst = 1;
    const seals = await sealTwice([webhookSink(url, { retryDelayMs: () => 10 })]);
    expect(received.map((r) => r.type)).toEqual(['application/json', 'application/json']);
    expect(received.map((r) => decodeSeal(JSON.parse(r.body)))).toEqual(seals);
  });

  it('credentials in the URL go as basic authentication, and a webhook that keeps failing is reported without them', async () => {
    const [seal] = await sealTwice([]);
    await webhookSink(url.replace('http://', 'http://notary:s%40cret@')).write(seal!);
    expect(received.map((r) => r.authorization)).toEqual([`Basic ${Buffer.from('notary:s@cret').toString('base64')}`]);
    failFirst = 10;
    const failing = webhookSink(url.replace('http://', 'http://notary:secret@'), { attempts: 2, retryDelayMs: () => 1 });
    await expect(failing.write(seal!)).rejects.toThrow(/^SEAL_WEBHOOK_URL http:\/\/\*\*\*@127\.0\.0\.1:\d+\/seals answered 503 \(2 attempts\)$/);
    await expect(webhookSink('http://127.0.0.1:1/seals', { attempts: 1 }).write(seal!)).rejects.toThrow(/^SEAL_WEBHOOK_URL http:\/\/127\.0\.0\.1:1\/seals fetch failed \(1 attempt\)$/);
  });
});
