import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServiceProcess, type ServiceProcess } from './testing';

/**
 * The root README's "A first ticket" walk and its auditor examples, run in that order as written
 * (with bash, the real `npx support-sla`, curl) against a real service process started the way
 * `npm start` starts it: no SUPPORT_SLA_TOKEN_KEY, so the token command must find the development
 * key the service generated beside SUPPORT_SLA_DB, the one setting both are given. Only the port
 * differs (a free one instead of 3000), and curl is told to fail on an HTTP error.
 */
const root = resolve(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The first fenced shell block after the heading. */
const blockAfter = (heading: string): string => {
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading "${heading}"`);
  const match = /```(?:sh|bash)\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match) throw new Error(`no shell block after "${heading}"`);
  return match[1]!;
};

interface Step {
  readonly command: string;
  /** The `# → …` line right after the command, if any: what the README says it prints. */
  readonly expected?: string;
}

/** Splits a block into commands (joining `\` continuations), keeping each one's `# →` line. */
const stepsOf = (block: string): Step[] => {
  const steps: { command: string; expected?: string }[] = [];
  let pending = '';
  for (const line of block.split('\n')) {
    if (pending === '' && line.trim().startsWith('#')) {
      const arrow = /^#\s*→\s*(.*)$/.exec(line.trim());
      if (arrow && steps.length > 0) steps[steps.length - 1]!.expected = arrow[1]!;
      continue;
    }
    if (pending === '' && line.trim() === '') continue;
    pending += `${line}\n`;
    if (!line.endsWith('\\')) {
      steps.push({ command: pending.trimEnd() });
      pending = '';
    }
  }
  return steps;
};

const MARK = '@@step';

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  /** Standard output of each step, in order. */
  readonly outputs: readonly string[];
}

const runBash = (script: string, env: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((done, fail) => {
    const child = spawn('bash', ['-c', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stderr, outputs: stdout.split(`${MARK}\n`).slice(1) }));
  });

/** `…` in the README's expected output stands for anything. */
const patternOf = (expected: string): RegExp => new RegExp(`^${expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);

describe('README: the first ticket, then the auditor examples, in order against a running service', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    // As `npm start` with nothing set: no SUPPORT_SLA_TOKEN_KEY (an empty value counts as unset), default HOST.
    service = await startServiceProcess({ env: { SUPPORT_SLA_TOKEN_KEY: '', HOST: '' } });
  });
  afterAll(async () => {
    await service?.stop();
    service?.removeData();
  });

  it('starts with a short log that says where it really listens', () => {
    const logged = service.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg?: string; event?: string; address?: string; url?: string; source?: string });
    // Nest's one line per module and per route moved to debug (issue 22): no route mapping at info.
    expect(logged.filter((entry) => /^Mapped \{|Controller \{/.test(entry.msg ?? ''))).toEqual([]);
    expect(logged.length).toBeLessThanOrEqual(12);
    const listening = logged.find((entry) => entry.event === 'listening');
    expect(listening).toMatchObject({ address: '127.0.0.1', url: service.baseUrl });
    expect(listening?.msg).toBe(`support-sla listening on ${service.baseUrl} (API docs at ${service.baseUrl}/docs)`);
    expect(logged.find((entry) => entry.event === 'token-key')).toMatchObject({ source: 'generated' });
  });

  it('runs every command of both blocks, each printing what it should', async () => {
    const steps = [...stepsOf(blockAfter('## A first ticket')), ...stepsOf(blockAfter('## For auditors'))];
    expect(steps.length).toBeGreaterThanOrEqual(14);
    const port = new URL(service.baseUrl).port;
    const script = [
      'set -euo pipefail',
      ...steps.map((step) => `printf '%s\\n' '${MARK}'\n${step.command.replaceAll('localhost:3000', `127.0.0.1:${port}`).replaceAll('curl -s ', 'curl -sS --fail-with-body ')}\necho`),
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, SUPPORT_SLA_DB: service.dbFile, npm_config_yes: 'false', npm_config_update_notifier: 'false' };
    delete env.SUPPORT_SLA_TOKEN_KEY;
    const run = await runBash(script, env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
    expect(run.outputs).toHaveLength(steps.length);

    const outputOf = (pattern: RegExp): string => {
      const index = steps.findIndex((step) => pattern.test(step.command));
      expect(index).toBeGreaterThanOrEqual(0);
      return run.outputs[index]!.trim();
    };
    // Each curl answered 2xx (--fail-with-body), with JSON; the open printed what the README says.
    steps.forEach((step, index) => {
      if (step.command.includes('curl') && !step.command.startsWith('cmp')) expect(() => JSON.parse(run.outputs[index]!)).not.toThrow();
      if (step.expected !== undefined) expect(run.outputs[index]!.trim()).toMatch(patternOf(step.expected));
    });
    const ticket = JSON.parse(outputOf(/^curl -s localhost:3000\/tickets\/SS-000001 /)) as Record<string, unknown>;
    expect(JSON.stringify(ticket)).toContain('SS-000001');

    // The auditor examples see the ticket just made: a timeline, a state as of now, an intact log, a report that counts it.
    expect(outputOf(/audit history SS-000001/)).toMatch(/TicketOpened[\s\S]*TicketClassified[\s\S]*TicketResponded/);
    const asOf = outputOf(/audit as-of SS-000001/);
    expect(asOf).toContain('SS-000001');
    expect(asOf).not.toMatch(/did not exist/);
    expect(outputOf(/audit verify/)).toMatch(/intact/i);
    const report = JSON.parse(outputOf(/^npx support-sla audit report /)) as { groups: { tier: string; received: number }[] };
    expect(report.groups.map((group) => [group.tier, group.received])).toEqual([['premium', 1]]);
    expect(outputOf(/^cmp /)).toBe('identical');
  });
});
