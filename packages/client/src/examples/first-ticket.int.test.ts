import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startService, type InProcessService } from '../../../service/src/testing/service-harness';
import { firstTicket } from './first-ticket';

/**
 * The README's TypeScript first ticket: it is this file (with the package's import), it runs against
 * the real service, and its compiled form runs with `node` as the README says.
 */
jest.setTimeout(60_000);

const packageRoot = join(__dirname, '..', '..');
let svc: InProcessService;
let ada: string;
let agent: string;

beforeAll(async () => {
  svc = await startService({ env: { NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0', SEAL_FILE: '' } });
  ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' });
  agent = svc.tokenFor('agent', 'u-agent', 'support');
});

afterAll(async () => {
  await svc?.stop({ removeData: true });
});

test('the README shows this example as it is', () => {
  const source = readFileSync(join(__dirname, 'first-ticket.ts'), 'utf8').replace("from '../index'", "from '@support-sla/client'");
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
});

test('it walks a ticket through the real service', async () => {
  const lines: string[] = [];
  await firstTicket(svc.baseUrl, ada, agent, (line) => lines.push(line));
  expect(lines[0]).toMatch(/^opened SS-000001: TicketOpened, TicketQueued \(revision 1, position \d+(\/\d+)?\)$/);
  expect(lines[1]).toMatch(/^SS-000001 is open in premium:error; confirmation met, response met$/);
  // The classification requeues the ticket; with the mailer on, its confirmation (TicketAcknowledged) may come in between.
  expect(lines[2]).toMatch(/^timeline: TicketOpened → TicketQueued → TicketClassified → TicketQueued( → TicketAcknowledged)? → TicketResponded$/);
  expect(lines[3]).toBe('queue 1: SS-000001 (error, 40 users)');
  expect(lines[4]).toBe('Ada may not classify: 403 forbidden');
  expect(lines).toHaveLength(5);
});

test('compiled, it runs with node and the tokens in ADA and AGENT', async () => {
  const compiled = join(packageRoot, 'dist', 'examples', 'first-ticket.js');
  expect(existsSync(compiled) ? compiled : 'not built: run npx tsc -b packages/client').toBe(compiled);
  const { stdout } = await promisify(execFile)(process.execPath, [compiled], { env: { ...process.env, SUPPORT_SLA_URL: svc.baseUrl, ADA: ada, AGENT: agent } });
  expect(stdout).toMatch(/^opened SS-000002: /);
  expect(stdout).toContain('queue 2: SS-000002 (error, 40 users)');
  const { ADA: _ada, AGENT: _agent, ...withoutTokens } = process.env;
  await expect(promisify(execFile)(process.execPath, [compiled], { env: withoutTokens })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: ADA=<token> AGENT=<token>') });
});
