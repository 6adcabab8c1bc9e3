import { startServiceProcess, type ServiceProcess } from '../testing';
import { onLinux, threadNiceValues } from '../testing/threads';
import { BACKGROUND_NICE } from '../deployment/thread-priority';
import { call, eventually } from '../testing/http';

let service: ServiceProcess;

beforeAll(async () => {
  service = await startServiceProcess();
});

afterAll(async () => {
  await service.stop();
  service.removeData();
});

const entries = (): Record<string, unknown>[] =>
  service.output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

test('each request is logged once with its id, method, URL, status and time, with its token and cookies redacted', async () => {
  const token = service.tokenFor('teacher', 'u-log', 'acme', { email: 'u-log@acme.example' });
  const response = await fetch(`${service.baseUrl}/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, cookie: 'session=cookie-secret', 'content-type': 'application/json', 'x-request-id': 'log-check-1' },
    body: JSON.stringify({ channel: 'email', request: { summary: 'Logging', description: 'Checks the request log line' } }),
  });
  expect(response.status).toBe(201);
  expect(response.headers.get('x-request-id')).toBe('log-check-1');
  const deadline = Date.now() + 5_000;
  const mine = (): Record<string, unknown>[] => entries().filter((e) => (e.req as { id?: unknown } | undefined)?.id === 'log-check-1');
  while (mine().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // A second line for the same request would come right after the first.
  await new Promise((r) => setTimeout(r, 200));
  const lines = mine();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 30, msg: 'request completed', req: { id: 'log-check-1', method: 'POST', url: '/tickets' }, res: { statusCode: 201 } });
  expect(typeof lines[0]!.responseTime).toBe('number');
  expect((lines[0]!.req as { headers: Record<string, unknown> }).headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': 'log-check-1' });
  // Neither the token nor the cookie is anywhere in what the service wrote.
  const everything = service.output.join('\n');
  expect(everything).not.toContain(token);
  expect(everything).not.toContain('cookie-secret');
});

const linuxOnly = onLinux('service process thread priorities');

linuxOnly('only the e-mail worker thread runs at a lower priority: not the event loop, nor the thread pool that runs the fsyncs', async () => {
  // The worker starts once the process holds the lease on sending and has caught up.
  await eventually('the e-mail part to send', async () => ((await call(service.baseUrl, 'GET', '/health')).json.notifications?.state === 'sending' ? true : undefined));
  const nice = threadNiceValues(service.pid);
  // The delivery worker, and the mail writer once it wrote a batch (the first test opened a
  // ticket): had either been the thread that started libuv's pool, its four threads would be at 10 too.
  const lowered = [...nice.values()].filter((n) => n === BACKGROUND_NICE);
  expect(lowered.length).toBeGreaterThanOrEqual(1);
  expect(lowered.length).toBeLessThanOrEqual(2);
  expect(nice.get(service.pid)).toBe(0);
});
