import { call } from '../testing/http';
import { startServiceProcess, type ServiceProcess } from '../testing/service-harness';

/**
 * 409 over HTTP. SQLite calls are synchronous, so one process never interleaves two commands
 * on a stream: a second service process on the same file, which gives up after one attempt,
 * makes the conflicts real. Both run as processes of their own (with one of them inside jest,
 * sharing its event loop with the requests, a fresh clone's full run once got no lost race in
 * 500 requests), on the real clock.
 */
jest.setTimeout(60_000);

let svc: ServiceProcess;
beforeAll(async () => {
  svc = await startServiceProcess();
});
afterAll(async () => {
  await svc.stop();
  svc.removeData();
});

test('concurrent commands on one ticket beyond the retry budget are refused with 409, never a 500', async () => {
  const strict = await startServiceProcess({ dbFile: svc.dbFile, tokenKey: svc.tokenKey, env: { COMMAND_MAX_ATTEMPTS: '1' } });
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  const post = (base: string, path: string, token: string, body: unknown) => call(base, 'POST', path, { token, body });
  try {
    const opened = await post(svc.baseUrl, '/tickets', ada, { channel: 'email', request: { summary: 'Slow', description: 'Pages are slow' } });
    const id = opened.json.ticketId as string;
    await post(svc.baseUrl, `/tickets/${id}/classification`, agent, { category: 'personal/how-to' });
    const categories = ['personal/configuration', 'technical/question/capacity', 'personal/how-to', 'technical/question/integration'];
    // A burst of 100 races the two processes; whether the strict one loses a race in a given
    // burst is up to the scheduler (on a busy machine one burst once went through without one),
    // so bursts are sent until one has, 5 at most.
    const results: Awaited<ReturnType<typeof post>>[] = [];
    for (let round = 0; round < 5 && !results.some((r) => r.status === 409); round++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            post(i % 2 === 0 ? strict.baseUrl : svc.baseUrl, `/tickets/${id}/classification`, agent, {
              category: categories[(i + round) % categories.length],
              reason: `change ${round}.${i}`,
            }),
          ),
        )),
      );
    }
    expect(results.filter((r) => r.status !== 200 && r.status !== 409)).toEqual([]);
    const statuses = results.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(409);
    expect(results.find((r) => r.status === 409)?.json).toMatchObject({ error: 'conflict' });
  } finally {
    await strict.stop();
  }
});
