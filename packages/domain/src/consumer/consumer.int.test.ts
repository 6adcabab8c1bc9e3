/**
 * The library as an outside app meets it: pack @support-sla/domain and @support-sla/sla-calendar,
 * install the tarballs (not the workspace) into scratch projects outside the repo, compile the
 * README's examples and a given/when/then test (`packages/domain/consumer-test/`) under every
 * TypeScript module setting (all with `strict` and `skipLibCheck: false`), run the output with
 * Node, and run the test under Jest.
 *
 * Fast by design (about 30 s on 2 cores): one `npm install` of the two tarballs (their own
 * dependencies come from the npm cache `npm ci` filled), shared by an ES-module and a CommonJS
 * project below it; TypeScript, Jest, SWC and @types come as symlinks to the repo's copies.
 * `fast-check` is deliberately absent, as it is from an app that does not use the generators.
 * Set SUPPORT_SLA_SKIP_CONSUMER_TEST=1 to skip it (it says so when skipped).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const repo = resolve(__dirname, '../../../..');
const fixture = join(repo, 'packages/domain/consumer-test');
const bin = (path: string): string => join(repo, 'node_modules', path);
const skip = process.env.SUPPORT_SLA_SKIP_CONSUMER_TEST === '1';

interface Ran {
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without what `npm test` and Jest set for themselves (npm_config_*, JEST_*). */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|JEST_|INIT_CWD$)/i.test(k)));

const run = (command: string, args: readonly string[], cwd: string, expectFailure = false): Promise<Ran> =>
  new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...cleanEnv(), NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if ((code === 0) === expectFailure) {
        fail(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}\n${stdout}\n${stderr}`));
      } else done({ stdout, stderr });
    });
  });

/** The first ```ts block under a `## heading` of a README. */
const readmeBlock = (readme: string, heading: string): string => {
  const from = readme.indexOf(`\n## ${heading}`);
  if (from < 0) throw new Error(`README has no section "## ${heading}"`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(from));
  if (match?.[1] === undefined) throw new Error(`README section "## ${heading}" has no ts block`);
  return match[1];
};

/**
 * One scratch project per module kind, each compiled under these settings, all with
 * `skipLibCheck: false`, so the packed declarations are checked too. CommonJS under `node16` is
 * the strict one: TypeScript's node16 mode models a Node that cannot require() an ES module, so a
 * declaration that imports the ES-module-only temporal-polyfill without `resolution-mode: import`
 * fails there (TS1479); sla-calendar's `temporal.ts` says how its declarations avoid that.
 */
const SETTINGS = [
  { kind: 'esm', name: 'nodenext', module: 'nodenext', moduleResolution: 'nodenext' },
  { kind: 'esm', name: 'bundler', module: 'esnext', moduleResolution: 'bundler' },
  { kind: 'cjs', name: 'nodenext', module: 'nodenext', moduleResolution: 'nodenext' },
  { kind: 'cjs', name: 'node16', module: 'node16', moduleResolution: 'node16' },
  { kind: 'cjs', name: 'node10', module: 'commonjs', moduleResolution: 'node10' },
] as const;

/**
 * Written into each scratch project beside the fixture: the calendar's `Temporal` used as a value
 * and as types (`Temporal.Instant`, `Temporal.DurationLike`, …) straight from
 * `@support-sla/sla-calendar`, compiled with the rest and run with Node.
 */
const TEMPORAL_USAGE = `import { ALWAYS_OPEN, Temporal, addBusinessTime, businessTimeBetween } from '@support-sla/sla-calendar';

declare const console: { log(...values: unknown[]): void };

const start: Temporal.Instant = Temporal.Instant.from('2026-03-06T17:30:00Z');
const amount: Temporal.DurationLike = { hours: 2 };
const due: Temporal.Instant = addBusinessTime(ALWAYS_OPEN, start, amount);
const zoned: Temporal.ZonedDateTime = due.toZonedDateTimeISO('America/New_York');
const span: Temporal.Duration = businessTimeBetween(ALWAYS_OPEN, start, due);
console.log(\`temporal: \${due.toString()} \${zoned.hour} \${span.toString()} \${due instanceof Temporal.Instant}\`);
`;

const timings: string[] = [];
const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await work();
  timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
};

/** Runs the tasks two at a time (CI has two cores). */
const inPairs = async (tasks: ReadonlyArray<() => Promise<void>>): Promise<void> => {
  const queue = [...tasks];
  const worker = async (): Promise<void> => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await task();
  };
  await Promise.all([worker(), worker()]);
};

(skip ? describe.skip : describe)('an outside app installing the packed library', () => {
  let scratch = '';
  const compiled = new Map<string, Promise<void>>();

  beforeAll(async () => {
    const started = Date.now();
    // The tarballs are made from dist/: build it (a no-op when `npm test` just did).
    await timed('tsc -b', () => run(process.execPath, [bin('typescript/bin/tsc'), '-b', 'packages/domain'], repo));
    scratch = await mkdtemp(join(tmpdir(), 'support-sla-consumer-'));
    if (!relative(repo, scratch).startsWith('..')) throw new Error(`scratch directory ${scratch} is inside the repo`);
    await timed('npm pack', () =>
      run('npm', ['pack', '-w', '@support-sla/domain', '-w', '@support-sla/sla-calendar', '--pack-destination', scratch, '--silent'], repo),
    );
    const tarballs = (await readdir(scratch)).filter((f) => f.endsWith('.tgz'));
    const tarball = (name: string): string => {
      const file = tarballs.find((f) => f.startsWith(`support-sla-${name}-`));
      if (file === undefined) throw new Error(`npm pack made no ${name} tarball: ${tarballs.join(', ')}`);
      return `file:./${file}`;
    };
    const dependencies = { '@support-sla/domain': tarball('domain'), '@support-sla/sla-calendar': tarball('sla-calendar') };
    await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-consumer', private: true, dependencies }, null, 2));
    await timed('npm install (tarballs)', () => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], scratch));
    // The app's own dev tools: the repo's copies (after the install, which would prune them).
    for (const tool of ['@swc/jest', '@swc/core']) {
      await mkdir(join(scratch, 'node_modules', tool, '..'), { recursive: true });
      await symlink(bin(tool), join(scratch, 'node_modules', tool), 'dir');
    }
    const readme = await readFile(join(scratch, 'node_modules/@support-sla/domain/README.md'), 'utf8');
    const examples = {
      'embedding.ts': readmeBlock(readme, 'Embedding example'),
      'testing-example.ts': readmeBlock(readme, 'Testing helpers'),
      'emmett-adapter.ts': readmeBlock(readme, 'Coming from Emmett'),
    };
    for (const kind of ['esm', 'cjs'] as const) {
      const dir = join(scratch, kind);
      await cp(join(fixture, 'src'), join(dir, 'src'), { recursive: true });
      await cp(join(fixture, 'jest.config.cjs'), join(dir, 'jest.config.cjs'));
      for (const [file, code] of Object.entries(examples)) await writeFile(join(dir, 'src', file), code);
      await writeFile(join(dir, 'src', 'temporal-usage.ts'), TEMPORAL_USAGE);
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `scratch-${kind}`, private: true, type: kind === 'esm' ? 'module' : 'commonjs' }));
      for (const s of SETTINGS.filter((x) => x.kind === kind)) {
        const compilerOptions = {
          target: 'es2022',
          lib: ['es2022'],
          module: s.module,
          moduleResolution: s.moduleResolution,
          strict: true,
          skipLibCheck: false,
          esModuleInterop: true,
          // No @types: the library's declarations must not need @types/node (checks.ts says why),
          // and @types/jest would triple the files to check. Jest compiles the test file itself.
          types: [],
          outDir: `dist-${s.name}`,
          rootDir: 'src',
        };
        const tsconfig = { compilerOptions, include: ['src'], exclude: ['src/**/*.test.ts'] };
        await writeFile(join(dir, `tsconfig.${s.name}.json`), JSON.stringify(tsconfig, null, 2));
      }
    }
    // Compile every setting now, two at a time; each test below awaits its own.
    const settled = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
    for (const s of SETTINGS) {
      const key = `${s.kind}/${s.name}`;
      const promise = new Promise<void>((resolve, reject) => settled.set(key, { resolve, reject }));
      promise.catch(() => undefined); // reported by the test that awaits it
      compiled.set(key, promise);
    }
    void inPairs(
      SETTINGS.map((s) => async () => {
        const key = `${s.kind}/${s.name}`;
        try {
          await timed(`tsc ${key}`, () => run(process.execPath, [bin('typescript/bin/tsc'), '-p', `tsconfig.${s.name}.json`], join(scratch, s.kind)));
          settled.get(key)?.resolve();
        } catch (error) {
          settled.get(key)?.reject(error);
        }
      }),
    );
    timings.push(`set-up ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);

  afterAll(async () => {
    process.stdout.write(`consumer test (${scratch}): ${timings.join(', ')}\n`);
    if (scratch !== '' && process.env.SUPPORT_SLA_KEEP_CONSUMER_SCRATCH !== '1') await rm(scratch, { recursive: true, force: true });
  });

  it('the README embedding example is src/examples/embedding.ts', async () => {
    const readme = await readFile(join(repo, 'packages/domain/README.md'), 'utf8');
    const source = await readFile(join(repo, 'packages/domain/src/examples/embedding.ts'), 'utf8');
    expect(readmeBlock(readme, 'Embedding example')).toBe(source.replace("from '../index'", "from '@support-sla/domain'"));
  });

  it('fast-check is not installed in the scratch app', () => {
    // Otherwise the check that /testing loads without it proves nothing.
    expect(() => require.resolve('fast-check', { paths: [join(scratch, 'cjs')] })).toThrow();
  });

  it.each(SETTINGS.map((s) => ({ ...s, key: `${s.kind}/${s.name}` })))(
    '$key: compiles with skipLibCheck false; the examples, the checks and the Temporal usage run under Node',
    async ({ key, kind, name }) => {
      await compiled.get(key);
      const { stdout } = await timed(`node ${key}`, () => run(process.execPath, [`dist-${name}/main.js`], join(scratch, kind)));
      expect(stdout).toMatch(/^ok: \d+ checks/m);
      const usage = await run(process.execPath, [`dist-${name}/temporal-usage.js`], join(scratch, kind));
      expect(usage.stdout).toBe('temporal: 2026-03-06T19:30:00Z 14 PT2H true\n');
    },
    120_000,
  );

  it('the given/when/then test passes under Jest 30 in the ES-module and the CommonJS project', async () => {
    const args = [bin('jest/bin/jest.js'), '--ci', '--runInBand', '--no-watchman', '--projects', join(scratch, 'esm'), join(scratch, 'cjs')];
    const { stderr } = await timed('jest', () => run(process.execPath, args, scratch));
    expect(stderr).toMatch(/Tests:\s+\d+ passed/);
    expect(stderr).not.toMatch(/failed/);
  }, 120_000);

  it('fp-ts: the deep import the README warns about fails in an ES module, fp-ts/lib/Either.js works', async () => {
    const esm = join(scratch, 'esm');
    const failed = await run(process.execPath, ['--input-type=module', '-e', "await import('fp-ts/Either')"], esm, true);
    expect(failed.stderr).toContain('ERR_UNSUPPORTED_DIR_IMPORT');
    await run(process.execPath, ['--input-type=module', '-e', "const { isLeft } = await import('fp-ts/lib/Either.js'); if (typeof isLeft !== 'function') process.exit(1);"], esm);
  }, 60_000);

  it('/testing/arbitraries loads once the app installs fast-check', async () => {
    await symlink(bin('fast-check'), join(scratch, 'node_modules/fast-check'), 'dir');
    const probe = "if (m.arbEvent === undefined || typeof m.arbTicketHistory !== 'function') process.exit(1);";
    await run(process.execPath, ['-e', `const m = require('@support-sla/domain/testing/arbitraries'); ${probe}`], join(scratch, 'cjs'));
    await run(process.execPath, ['--input-type=module', '-e', `const m = await import('@support-sla/domain/testing/arbitraries'); ${probe}`], join(scratch, 'esm'));
  }, 60_000);
});

if (skip) {
  process.stderr.write('consumer test SKIPPED: SUPPORT_SLA_SKIP_CONSUMER_TEST=1, so the packed library is not checked from an outside app\n');
}

// Keeps the fixture honest: a file the scratch projects need must exist in the repo.
if (!existsSync(join(fixture, 'src/checks.ts'))) throw new Error(`consumer fixture missing: ${fixture}`);
