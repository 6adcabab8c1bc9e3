import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MONITORS, type Monitor } from '@support-sla/domain';
import { TokenService, type Role } from '../auth/token.service';
import { createService } from '../bootstrap';

export interface TokenExtras {
  readonly name?: string;
  readonly email?: string;
  /** e.g. `'1h'`, or seconds; negative seconds give an already-expired token. */
  readonly expiresIn?: string | number;
  /**
   * Role `monitor`: the one location the token reports for. Default: the location the user id
   * names (`mon-chicago` → `chicago`); a monitor token naming none is refused when signed.
   */
  readonly monitor?: Monitor;
}

/** The location a monitor's user id names, if exactly one. */
const locationIn = (user: string): Monitor | undefined => {
  const named = MONITORS.filter((m) => user.toLowerCase().includes(m));
  return named.length === 1 ? named[0] : undefined;
};

export interface ServiceHarnessOptions {
  /** SQLite file to use; default a fresh file in a new temporary directory. */
  readonly dbFile?: string;
  /** HS256 key; default a random one (pass the previous one to restart with the same tokens). */
  readonly tokenKey?: string;
  /** Extra environment (LOG_LEVEL, MAX_BODY_BYTES, EVENT_STORE, ...). */
  readonly env?: Record<string, string>;
}

export interface InProcessOptions extends ServiceHarnessOptions {
  /** Replaces the app's feature modules (default: the real ones). */
  readonly features?: readonly (Type | DynamicModule)[];
  /** Extra global providers, e.g. `{ provide: Clock, useValue: manualClock }`. */
  readonly providers?: readonly Provider[];
}

interface HarnessBase {
  readonly baseUrl: string;
  readonly dbFile: string;
  readonly tokenKey: string;
  /** A token signed with the service's key. */
  tokenFor(role: Role, user: string, org: string, extras?: TokenExtras): string;
  /** Deletes the temporary directory the harness created (never a caller's `dbFile`). */
  removeData(): void;
}

export interface InProcessService extends HarnessBase {
  readonly app: NestExpressApplication;
  /** Shuts the app down cleanly (projections flush, store closes). Keeps the data unless `removeData` is true. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess extends HarnessBase {
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far, one entry per line. */
  readonly output: readonly string[];
  /** SIGTERM and wait for the exit (Nest re-raises the signal after its clean shutdown, so `signal` is usually `SIGTERM`). */
  stop(): Promise<ProcessExit>;
  /** SIGKILL: a crash, with no chance to flush anything. */
  kill(): Promise<void>;
}

const setup = (options: ServiceHarnessOptions): { dbFile: string; tokenKey: string; removeData: () => void; tokenFor: HarnessBase['tokenFor'] } => {
  const ownDir = options.dbFile === undefined ? mkdtempSync(join(tmpdir(), 'support-sla-e2e-')) : undefined;
  const dbFile = options.dbFile ?? join(ownDir!, 'support-sla.sqlite');
  const tokenKey = options.tokenKey ?? randomBytes(32).toString('base64url');
  const tokens = new TokenService(tokenKey);
  return {
    dbFile,
    tokenKey,
    removeData: () => {
      if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
    },
    tokenFor: (role, user, org, extras = {}) => {
      const monitor = extras.monitor ?? (role === 'monitor' ? locationIn(user) : undefined);
      return tokens.sign(
        {
          sub: user,
          role,
          org,
          ...(extras.name !== undefined ? { name: extras.name } : {}),
          ...(extras.email !== undefined ? { email: extras.email } : {}),
          ...(monitor !== undefined ? { monitor } : {}),
        },
        { expiresIn: extras.expiresIn ?? '1h' },
      );
    },
  };
};

const environment = (dbFile: string, tokenKey: string, extra: Record<string, string> | undefined): NodeJS.ProcessEnv => ({
  PORT: '0',
  HOST: '127.0.0.1',
  SUPPORT_SLA_DB: dbFile,
  SUPPORT_SLA_TOKEN_KEY: tokenKey,
  EVENT_STORE: 'sqlite',
  LOG_LEVEL: 'silent',
  ...extra,
});

/**
 * Boots the real Nest application in this process on a random loopback port over a temporary
 * SQLite file. `stop()` then start again with the same `dbFile` and `tokenKey` is a restart.
 */
export async function startService(options: InProcessOptions = {}): Promise<InProcessService> {
  const base = setup(options);
  const running = await createService({ env: environment(base.dbFile, base.tokenKey, options.env), features: options.features, providers: options.providers });
  return {
    app: running.app,
    baseUrl: running.url,
    dbFile: base.dbFile,
    tokenKey: base.tokenKey,
    tokenFor: base.tokenFor,
    removeData: base.removeData,
    stop: async ({ removeData = false } = {}) => {
      await running.close();
      if (removeData) base.removeData();
    },
  };
}

/** The compiled entry point; `tsc -b packages/service` produces it. */
export const SERVICE_ENTRY = resolve(__dirname, '..', '..', 'dist', 'main.js');

/**
 * Runs `node packages/service/dist/main.js` as a child process (for crash and restart tests)
 * and resolves once it logged the port it bound. Needs the compiled output (`tsc -b`).
 */
export async function startServiceProcess(options: ServiceHarnessOptions & { readonly startTimeoutMs?: number } = {}): Promise<ServiceProcess> {
  if (!existsSync(SERVICE_ENTRY)) throw new Error(`${SERVICE_ENTRY} does not exist: run "npx tsc -b packages/service" first`);
  const base = setup(options);
  // The harness reads the bound port from the `listening` log line, which is logged at info.
  const child = spawn(process.execPath, [SERVICE_ENTRY], {
    env: { ...process.env, ...environment(base.dbFile, base.tokenKey, { LOG_LEVEL: 'info', ...options.env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<ProcessExit>((done) => child.once('exit', (code, signal) => done({ code, signal })));

  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => fail(new Error(`service did not report its port within ${options.startTimeoutMs ?? 20_000} ms:\n${output.join('\n')}`)), options.startTimeoutMs ?? 20_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onLine = (line: string): void => {
      output.push(line);
      if (!line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as { event?: unknown; port?: unknown };
        if (entry.event === 'listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolvePort(entry.port);
        }
      } catch {
        // not a JSON log line
      }
    };
    lines(child, 'stdout', onLine);
    lines(child, 'stderr', onLine);
    void exited.then(({ code, signal }) => fail(new Error(`service exited (code ${String(code)}, signal ${String(signal)}) before listening:\n${output.join('\n')}`)));
  });

  return {
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    dbFile: base.dbFile,
    tokenKey: base.tokenKey,
    tokenFor: base.tokenFor,
    removeData: base.removeData,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

function lines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void): void {
  let buffered = '';
  child[stream]!.setEncoding('utf8');
  child[stream]!.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
}
