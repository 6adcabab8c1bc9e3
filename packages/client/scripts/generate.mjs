// `npm run generate -w @support-sla/client`: starts the compiled service (`tsc -b` first, which the
// npm script does) on a random loopback port with an in-memory store, reads /docs/openapi.json, and
// writes openapi.json and src/generated/openapi.ts. `--check` writes nothing and exits 1 when the
// committed files differ (npm test does the same from the service's sources, codegen.int.test.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { createService } = require('@support-sla/service');
const { fetchDocument, renderDocument, renderTypes } = require('../dist/codegen.js');

const check = process.argv.includes('--check');
const service = await createService({
  env: {
    PORT: '0',
    HOST: '127.0.0.1',
    EVENT_STORE: 'memory',
    SUPPORT_SLA_DB: ':memory:',
    SUPPORT_SLA_TOKEN_KEY: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'silent',
    NOTIFICATIONS: 'off',
    SEAL_STDOUT: 'off',
    SEAL_INTERVAL_SECONDS: '0',
    SEAL_FILE: '',
  },
});
let document;
try {
  document = await fetchDocument(service.url);
} finally {
  await service.close();
}

const outputs = [
  [join(root, 'openapi.json'), renderDocument(document)],
  [join(root, 'src', 'generated', 'openapi.ts'), await renderTypes(document)],
];
let stale = 0;
for (const [file, text] of outputs) {
  let before = '';
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    // not generated yet
  }
  const name = file.slice(root.length + 1);
  if (before === text) {
    console.log(`${name}: up to date`);
  } else if (check) {
    stale += 1;
    console.error(`${name}: stale, run npm run generate -w @support-sla/client`);
  } else {
    writeFileSync(file, text);
    console.log(`${name}: written`);
  }
}
process.exit(stale === 0 ? 0 : 1);
