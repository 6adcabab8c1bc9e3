/**
 * N service processes on one event store, for the multi-replica tests (issue 21):
 *
 * - `kind: 'sqlite'`: every replica runs `dist/main.js` on the same SQLite file (events, read
 *   models, numbers, idempotency keys and the mail file beside it are then shared, as on one
 *   machine);
 * - `kind: 'esdb'`: the EventStoreDB wire-level test server runs in this (jest) process, and every
 *   replica gets `EVENT_STORE=esdb`, its `ESDB_CONNECTION_STRING` and a local SQLite file of its
 *   own (read models, checkpoints, mail state), as replicas on separate machines would.
 *
 * A real SMTP server on loopback (`SmtpSink`) takes every e-mail of every replica. Replicas are
 * real child processes, so one can be killed with SIGKILL. Needs the compiled service
 * (`npx tsc -b packages/service`).
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import type { EventStore } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { SmtpSink } from '../notifications/notifications.test-support';
import { call, type Json } from './http';
import { startServiceProcess, type ServiceProcess } from './service-harness';

export type ReplicaStoreKind = 'sqlite' | 'esdb';

export interface ReplicaSetOptions {
  readonly kind: ReplicaStoreKind;
  /** How many replicas (default 3). */
  readonly count?: number;
  /** Environment for every replica (SMTP_URL and MAIL_FROM are set by the harness unless given here). */
  readonly env?: Record<string, string>;
  /** Per-replica environment on top of `env`. */
  readonly envOf?: (index: number) => Record<string, string>;
  readonly startTimeoutMs?: number;
}

export interface Replica {
  readonly index: number;
  /** `r0`, `r1`, … */
  readonly name: string;
  readonly process: ServiceProcess;
  readonly baseUrl: string;
  readonly pid: number;
  /** The SQLite file it runs on (the shared one with `sqlite`, its own with `esdb`). */
  readonly dbFile: string;
  /** False once {@link ReplicaSet.kill} killed it. */
  alive: boolean;
}

export interface HealthAnswer {
  readonly status: number;
  readonly json: Json;
}

export interface ReplicaSet {
  readonly kind: ReplicaStoreKind;
  readonly replicas: readonly Replica[];
  readonly sink: SmtpSink;
  readonly tokenKey: string;
  /** The test server, with `esdb`. */
  readonly esdb: EsdbTestServerHandle | undefined;
  tokenFor: ServiceProcess['tokenFor'];
  /** The replicas not killed. */
  live(): Replica[];
  /** SIGKILL one replica; resolves with `Date.now()` right after the signal, once the process is gone. */
  kill(index: number): Promise<number>;
  /** `GET /health` of one replica (a network failure rejects). */
  health(index: number): Promise<HealthAnswer>;
  /** The live replicas whose `/health` says they hold the notifications lease (or, before it, the sender lock). */
  leaseHolders(): Promise<number[]>;
  /**
   * A fresh service on the same store for comparing read models with a rebuild from position
   * zero, with `NOTIFICATIONS=off` so it sends nothing. With `esdb` it runs on the same test server
   * with an empty local file; with `sqlite` on a copy of the shared file (taken with `VACUUM INTO`,
   * a consistent snapshot) whose read-model rows are deleted, so every projection folds the log
   * from position zero (on the shared file itself it would read the replicas' checkpoints).
   */
  startRebuild(env?: Record<string, string>): Promise<ServiceProcess>;
  /** The store, opened from this process (for reading the log); close it when done. */
  openLog(): EventStore;
  /** Stops every replica (SIGTERM), the rebuild services, the SMTP sink and the test server; deletes the files. */
  stop(): Promise<void>;
}

/**
 * Whether a `/health` body says this process holds the singleton work: `notifications.lease.held`
 * (or `notifications.lease === true`, or `notifications.leaseHolder === true`) once the lease
 * lives in the event store; before that, `notifications.state === 'sending'`, which the SQLite
 * sender lock reports. Read defensively, as the lease's field is being built elsewhere.
 */
export function holdsLease(health: Json): boolean {
  const n = health.notifications as Json | undefined;
  if (n === undefined || n === null) return false;
  const lease = n.lease as unknown;
  if (typeof lease === 'boolean') return lease;
  if (typeof lease === 'object' && lease !== null && typeof (lease as Json).held === 'boolean') return (lease as Json).held as boolean;
  if (typeof n.leaseHolder === 'boolean') return n.leaseHolder;
  return n.state === 'sending';
}

export async function startReplicas(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const count = options.count ?? 3;
  const dir = mkdtempSync(join(tmpdir(), `support-sla-replicas-${options.kind}-`));
  const sink = await SmtpSink.start();
  const esdb = options.kind === 'esdb' ? await startEsdbTestServer() : undefined;
  const sharedFile = join(dir, 'shared.sqlite');
  const fileOf = (name: string): string => {
    if (options.kind === 'sqlite') return sharedFile;
    mkdirSync(join(dir, name), { recursive: true });
    return join(dir, name, 'local.sqlite');
  };
  const storeEnv: Record<string, string> = esdb === undefined ? { EVENT_STORE: 'sqlite' } : { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: esdb.connectionString };
  const baseEnv = { SMTP_URL: sink.url, MAIL_FROM: 'desk@replicas.example', ...storeEnv, ...options.env };
  const extra: ServiceProcess[] = [];
  const replicas: Replica[] = [];

  const start = async (index: number, tokenKey: string | undefined): Promise<Replica> => {
    const name = `r${index}`;
    const dbFile = fileOf(name);
    const process = await startServiceProcess({
      dbFile,
      ...(tokenKey === undefined ? {} : { tokenKey }),
      env: { ...baseEnv, ...options.envOf?.(index) },
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
    });
    return { index, name, process, baseUrl: process.baseUrl, pid: process.pid, dbFile, alive: true };
  };

  try {
    // The first one alone creates the schema (of the shared file, with `sqlite`) and the token key.
    replicas.push(await start(0, undefined));
    const tokenKey = replicas[0]!.process.tokenKey;
    replicas.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1, tokenKey)))));
  } catch (error) {
    await Promise.all(replicas.map((r) => r.process.kill()));
    await sink.stop();
    await esdb?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const first = replicas[0]!.process;

  const set: ReplicaSet = {
    kind: options.kind,
    replicas,
    sink,
    tokenKey: first.tokenKey,
    esdb,
    tokenFor: first.tokenFor,
    live: () => replicas.filter((r) => r.alive),
    kill: async (index) => {
      const replica = replicas[index]!;
      replica.alive = false;
      const killed = replica.process.kill();
      const at = Date.now();
      await killed;
      return at;
    },
    health: async (index) => {
      const res = await call(replicas[index]!.baseUrl, 'GET', '/health');
      return { status: res.status, json: res.json };
    },
    leaseHolders: async () => {
      const answers = await Promise.all(
        set.live().map(async (r) => {
          try {
            return holdsLease((await set.health(r.index)).json) ? r.index : undefined;
          } catch {
            return undefined;
          }
        }),
      );
      return answers.filter((i): i is number => i !== undefined);
    },
    startRebuild: async (env = {}) => {
      const name = `rebuild-${extra.length}`;
      mkdirSync(join(dir, name), { recursive: true });
      const dbFile = join(dir, name, 'local.sqlite');
      if (options.kind === 'sqlite') {
        const source = new Database(sharedFile, { readonly: true, fileMustExist: true });
        try {
          source.prepare('VACUUM INTO ?').run(dbFile);
        } finally {
          source.close();
        }
        const copy = new Database(dbFile);
        try {
          copy.exec('DELETE FROM read_model_chunks; DELETE FROM read_models;');
        } finally {
          copy.close();
        }
      }
      const svc = await startServiceProcess({
        dbFile,
        tokenKey: first.tokenKey,
        env: { ...storeEnv, NOTIFICATIONS: 'off', ...env },
        startTimeoutMs: options.startTimeoutMs ?? 60_000,
      });
      extra.push(svc);
      return svc;
    },
    openLog: () => (esdb === undefined ? SqliteEventStore.open(sharedFile) : createEsdbEventStore(esdb.connectionString)),
    stop: async () => {
      await Promise.all([...replicas.filter((r) => r.alive).map((r) => r.process.stop()), ...extra.map((s) => s.stop())]);
      await sink.stop();
      await esdb?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return set;
}
