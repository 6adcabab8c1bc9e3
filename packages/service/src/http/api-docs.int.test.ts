import SwaggerParser from '@apidevtools/swagger-parser';
import { call } from '../testing/http';
import { fetchOpenApiDocument, OpenApiContract, type OpenApiDocument } from '../testing/openapi-contract';
import { startService, type InProcessService } from '../testing/service-harness';

/**
 * The published OpenAPI document (`/docs/openapi.json`): valid OpenAPI 3.1 (checked with
 * @apidevtools/swagger-parser), complete (every answer has a described schema, every parameter a
 * human description, every command the idempotency headers), with examples that match their
 * schemas; and the Swagger UI page works at `/docs`, `/docs/` and `/docs/index.html`.
 */
jest.setTimeout(60_000);

let svc: InProcessService;
let document: OpenApiDocument;

beforeAll(async () => {
  svc = await startService({ env: { NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0' } });
  document = await fetchOpenApiDocument(svc.baseUrl);
});

afterAll(async () => {
  await svc?.stop({ removeData: true });
});

const operations = () =>
  Object.entries(document.paths).flatMap(([template, ops]) => Object.entries(ops).map(([method, operation]) => ({ template, method, operation })));

describe('the OpenAPI document', () => {
  test('is valid OpenAPI 3.1 (swagger-parser), with every $ref resolving', async () => {
    expect(document.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  test('every answer has a description, and a schema for each media type it can have', () => {
    const missing: string[] = [];
    for (const { template, method, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      if (!statuses.some((s) => s.startsWith('2'))) missing.push(`${method} ${template}: no success answer`);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response.description) missing.push(`${method} ${template} ${status}: no description`);
        const content = Object.entries(response.content ?? {});
        if (content.length === 0) missing.push(`${method} ${template} ${status}: no content`);
        for (const [type, media] of content) if (media.schema === undefined) missing.push(`${method} ${template} ${status} ${type}: no schema`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('every parameter has a human description and a schema; no "any value accepted by"', () => {
    const vague: string[] = [];
    for (const { template, method, operation } of operations()) {
      for (const p of operation.parameters ?? []) {
        if (!p.description || p.description.length < 10) vague.push(`${method} ${template} ${p.in} ${p.name}: no description`);
        if (p.schema === undefined) vague.push(`${method} ${template} ${p.in} ${p.name}: no schema`);
      }
    }
    expect(vague).toEqual([]);
    expect(JSON.stringify(document)).not.toMatch(/any value/i);
  });

  test('every command (POST) declares Idempotency-Key and X-Correlation-Id, and Idempotent-Replayed on its success answer', () => {
    const posts = operations().filter((o) => o.method === 'post');
    expect(posts.length).toBeGreaterThanOrEqual(17);
    for (const { template, operation } of posts) {
      const key = operation.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      expect({ template, key: key?.schema }).toEqual({ template, key: expect.objectContaining({ pattern: '^[\\x21-\\x7e]{1,200}$', maxLength: 200 }) });
      expect(operation.parameters?.some((p) => p.in === 'header' && p.name === 'X-Correlation-Id')).toBe(true);
      const success = Object.entries(operation.responses).find(([s]) => s.startsWith('2'))![1];
      expect({ template, headers: Object.keys(success.headers ?? {}) }).toEqual({ template, headers: expect.arrayContaining(['Idempotent-Replayed', 'X-Request-Id']) });
    }
  });

  test('the compliance report declares X-Read-Model-Position and both of its media types', () => {
    const ok = document.paths['/reports/compliance']!.get!.responses['200']!;
    expect(Object.keys(ok.headers ?? {})).toEqual(expect.arrayContaining(['X-Read-Model-Position', 'Cache-Control']));
    expect(Object.keys(ok.content ?? {})).toEqual(['application/json', 'text/csv']);
  });

  test('the schemas are closed and typed: the contract check refuses an undeclared field or a wrong type', () => {
    const contract = new OpenApiContract(document);
    const at = '/components/schemas/ErrorBody';
    expect(contract.problems(at, { error: 'validation', issues: [{ field: 'a', message: 'b' }] })).toEqual([]);
    expect(contract.problems(at, { error: 'validation', extra: 1 })).not.toEqual([]);
    expect(contract.problems(at, { error: 42 })).not.toEqual([]);
    expect(contract.problems('/components/schemas/TicketView', {})).not.toEqual([]);
  });

  test('every example matches the schema it illustrates', () => {
    const contract = new OpenApiContract(document);
    const wrong: string[] = [];
    let examples = 0;
    const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    for (const { template, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const values = [...(media.example === undefined ? [] : [media.example]), ...Object.values(media.examples ?? {}).map((e) => e.value)];
          for (const value of values) {
            examples += 1;
            const found = contract.problems(`/paths/${esc(template)}/${method}/responses/${status}/content/${esc(type)}/schema`, value);
            if (found.length > 0) wrong.push(`${method} ${template} ${status} ${type}: ${found.join('; ')}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(examples).toBeGreaterThan(20);
  });
});

describe('the docs pages', () => {
  test.each(['/docs', '/docs/', '/docs/index.html'])('%s shows Swagger UI, every asset it refers to loads', async (page) => {
    const res = await fetch(`${svc.baseUrl}${page}`);
    expect(res.status).toBe(200);
    expect(new URL(res.url).pathname).toBe('/docs');
    const html = await res.text();
    expect(html).toContain('swagger-ui');
    const refs = [...html.matchAll(/(?:src|href)=["']([^"'#]+)["']/g)].map((m) => m[1]!).filter((u) => !/^[a-z]+:/.test(u));
    expect(refs).toEqual(expect.arrayContaining([expect.stringContaining('swagger-ui-bundle.js'), expect.stringContaining('swagger-ui-init.js')]));
    for (const ref of refs) {
      const asset = await fetch(new URL(ref, res.url));
      expect({ ref, status: asset.status }).toEqual({ ref, status: 200 });
    }
  });

  test('/docs/ is sent to /docs with a relative Location (a proxy prefix is kept), its query too', async () => {
    for (const [from, to] of [
      ['/docs/', '../docs'],
      ['/docs/?x=1', '../docs?x=1'],
      ['/docs/index.html', '../docs'],
    ] as const) {
      const res = await fetch(`${svc.baseUrl}${from}`, { redirect: 'manual' });
      expect({ from, status: res.status, location: res.headers.get('location') }).toEqual({ from, status: 301, location: to });
    }
  });

  test('the raw document is at /docs/openapi.json, as JSON, without a token', async () => {
    const res = await call(svc.baseUrl, 'GET', '/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json.info.title).toBe('support-sla');
    expect(Object.keys(res.json.paths)).toEqual(expect.arrayContaining(['/tickets', '/tickets/{id}', '/outages', '/queue', '/sla', '/reports/compliance', '/policies', '/health', '/seals']));
  });
});
