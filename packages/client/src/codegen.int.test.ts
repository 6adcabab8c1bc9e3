import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The service's own harness, from its sources under Jest (tsc checks it against its declarations).
import { startService, type InProcessService } from '../../service/src/testing/service-harness';
import { fetchDocument, renderDocument, renderTypes } from './codegen';

/**
 * "Checked in CI to be up to date": the committed openapi.json and src/generated/openapi.ts are what
 * `npm run generate` makes from the service's current code. When this fails, run
 * `npm run generate -w @support-sla/client` and commit both files.
 */
jest.setTimeout(60_000);

const root = join(__dirname, '..');
let svc: InProcessService;
let document: unknown;

beforeAll(async () => {
  // The same settings as scripts/generate.mjs: the document must not depend on them.
  svc = await startService({ env: { EVENT_STORE: 'memory', NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0', SEAL_FILE: '' } });
  document = await fetchDocument(svc.baseUrl);
});

afterAll(async () => {
  await svc?.stop({ removeData: true });
});

/** `undefined` when equal, else where they first differ (the files are too large for a diff). */
const firstDifference = (committed: string, current: string): string | undefined => {
  if (committed === current) return undefined;
  const a = committed.split('\n');
  const b = current.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `stale from line ${at + 1}: committed ${JSON.stringify(a[at] ?? '(end)')}, current ${JSON.stringify(b[at] ?? '(end)')}; run npm run generate -w @support-sla/client`;
};

describe('the generated client is up to date with the service', () => {
  test('openapi.json is the document the service serves', () => {
    expect(firstDifference(readFileSync(join(root, 'openapi.json'), 'utf8'), renderDocument(document))).toBeUndefined();
  });

  test('src/generated/openapi.ts is what openapi-typescript makes of it', async () => {
    expect(firstDifference(readFileSync(join(root, 'src', 'generated', 'openapi.ts'), 'utf8'), await renderTypes(document))).toBeUndefined();
  });
});
