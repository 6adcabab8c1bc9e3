import { EventStoreUnavailableError, type EventStore } from '../event-store/event-store.port';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { STREAM_PREFIXES } from '../event-store/streams';
import { verifyChain } from '../hash-chain';
import { runCli } from '../cli/audit/testing/run-cli';
import { SHARED_STORES, type SharedStore } from '../testing/shared-stores';
import {
  LEASE_ACQUIRED,
  LEASE_RELEASED,
  LEASE_RENEWED,
  LeaseKeeper,
  NOTIFICATIONS_LEASE_STREAM,
  StoreLease,
  type LeaseAttempt,
  type LeaseTimings,
} from './store-lease';

jest.setTimeout(30_000);

// The lease on one event store as several processes see it (a connection each where the store
// has connections); the contenders share one injected clock (no sleeps).
const TTL = 10_000;

describe.each(SHARED_STORES)('the lease %s', (_name, open) => {
  let setup: SharedStore;
  let now: number;
  const clock = (): number => now;
  const contender = (holder: string, store: EventStore = setup.connect()): StoreLease => new StoreLease({ store, holder, ttlMs: TTL, clock });

  beforeEach(async () => {
    setup = await open();
    now = Date.parse('2026-03-10T14:00:00Z');
  });
  afterEach(async () => {
    await setup.close();
  });

  it('has one holder among several contenders that race for a free lease', async () => {
    const leases = ['a', 'b', 'c', 'd'].map((holder) => contender(holder));
    const attempts = await Promise.all(leases.map((l) => l.tryAcquire()));
    const winners = attempts.filter((a) => a.acquired);
    expect(winners).toHaveLength(1);
    const winner = leases[attempts.findIndex((a) => a.acquired)]!.holder;
    for (const attempt of attempts.filter((a): a is Extract<LeaseAttempt, { acquired: false }> => !a.acquired)) {
      expect(attempt.current).toMatchObject({ holder: winner, released: false, expiresAtMs: now + TTL });
    }
    // Looking again changes nothing while it holds.
    for (const lease of leases.filter((l) => l.holder !== winner)) expect(await lease.tryAcquire()).toMatchObject({ acquired: false });
    const events = await setup.connect().readStream(NOTIFICATIONS_LEASE_STREAM);
    expect(events.map((e) => [e.type, (e.data as { holder: string }).holder])).toEqual([[LEASE_ACQUIRED, winner]]);
  });

  it('is kept by renewing, past its first expiry, and the stream carries a hash chain the audit accepts', async () => {
    const holder = contender('holder');
    const other = contender('other');
    expect(await holder.tryAcquire()).toMatchObject({ acquired: true, expiresAtMs: now + TTL });
    for (let i = 0; i < 5; i++) {
      now += 3_000;
      expect(await holder.renew()).toBe(true);
      expect(holder.expiresAtMs).toBe(now + TTL);
      expect(await other.tryAcquire()).toMatchObject({ acquired: false, current: { holder: 'holder', expiresAtMs: now + TTL } });
    }
    // 15 s after it was taken, well past the first ttl: still the holder's.
    const events = await setup.connect().readStream(NOTIFICATIONS_LEASE_STREAM);
    expect(events.map((e) => e.type)).toEqual([LEASE_ACQUIRED, ...Array.from({ length: 5 }, () => LEASE_RENEWED)]);
    expect(events.map((e) => e.metadata.actorId)).toEqual(events.map(() => 'system:lease'));
    expect(verifyChain(events)).toEqual({ ok: true, streams: 1, events: 6 });
    // The read models pass over the stream.
    expect(STREAM_PREFIXES.some((p) => NOTIFICATIONS_LEASE_STREAM.startsWith(p))).toBe(false);
    if (setup.file !== undefined) {
      const run = await runCli(['audit', 'verify', '--db', setup.file]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Log intact: 6 events in 1 stream');
    }
  });

  it('is handed over once it expired by the clock of the process that looks, and the old holder cannot renew it any more', async () => {
    const old = contender('old');
    const next = contender('next');
    const { expiresAtMs } = (await old.tryAcquire()) as Extract<LeaseAttempt, { acquired: true }>;
    now = expiresAtMs;
    expect(await next.tryAcquire()).toMatchObject({ acquired: false });
    now = expiresAtMs + 1;
    const took = await next.tryAcquire();
    expect(took).toMatchObject({ acquired: true, previous: { holder: 'old', released: false, expiresAtMs } });
    expect(await old.renew()).toBe(false);
    expect(old.expiresAtMs).toBeUndefined();
    expect(await old.tryAcquire()).toMatchObject({ acquired: false, current: { holder: 'next' } });
  });

  it('is handed over at once when released, and a release after a take-over leaves the new holder alone', async () => {
    const first = contender('first');
    const second = contender('second');
    await first.tryAcquire();
    expect(await second.tryAcquire()).toMatchObject({ acquired: false });
    await first.release();
    expect(await second.tryAcquire()).toMatchObject({ acquired: true, previous: { holder: 'first', released: true } });
    // The first no longer holds it: releasing again appends nothing.
    await first.release();
    const events = await setup.connect().readStream(NOTIFICATIONS_LEASE_STREAM);
    expect(events.map((e) => e.type)).toEqual([LEASE_ACQUIRED, LEASE_RELEASED, LEASE_ACQUIRED]);
  });
});

/** Wraps a store so that its appends can be made to fail as when it cannot be reached. */
const failingAppends = (store: EventStore): { store: EventStore; fail: (on: boolean) => void } => {
  let failing = false;
  const wrapped: EventStore = {
    appendToStream: (...args) => (failing ? Promise.reject(new EventStoreUnavailableError('the store is down (test)')) : store.appendToStream(...args)),
    readStream: (...args) => (failing ? Promise.reject(new EventStoreUnavailableError('the store is down (test)')) : store.readStream(...args)),
    readAll: (...args) => store.readAll(...args),
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
  return { store: wrapped, fail: (on) => (failing = on) };
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Short timings, same proportions as the defaults (10 s, 3 s, 2 s, 4 s). */
const FAST: LeaseTimings = { ttlMs: 1_000, renewMs: 300, pollMs: 200, marginMs: 400 };

interface Journal {
  readonly acquired: { at: number; attempt: Extract<LeaseAttempt, { acquired: true }> }[];
  readonly lost: { at: number; reason: string }[];
}

const keeperOn = (store: EventStore, holder: string, timings: LeaseTimings = FAST): { keeper: LeaseKeeper; journal: Journal } => {
  const journal: Journal = { acquired: [], lost: [] };
  const keeper = new LeaseKeeper(new StoreLease({ store, holder, ttlMs: timings.ttlMs }), timings, {
    onAcquired: (attempt) => journal.acquired.push({ at: Date.now(), attempt }),
    onLost: (reason) => journal.lost.push({ at: Date.now(), reason }),
  });
  return { keeper, journal };
};

describe('the lease keeper (real timers, short timings)', () => {
  const keepers: LeaseKeeper[] = [];
  afterEach(async () => {
    for (const k of keepers.splice(0)) await k.stop();
  });
  const keep = (store: EventStore, holder: string, timings?: LeaseTimings) => {
    const made = keeperOn(store, holder, timings);
    keepers.push(made.keeper);
    return made;
  };

  it('renews while it holds: the other keeper stays on standby well past the ttl', async () => {
    const store = new InMemoryEventStore();
    const a = keep(store, 'a');
    const b = keep(store, 'b');
    expect(await a.keeper.start()).toBe(true);
    expect(await b.keeper.start()).toBe(false);
    await sleep(2_500);
    expect([a.keeper.isHeld, b.keeper.isHeld]).toEqual([true, false]);
    expect(b.keeper.status).toMatchObject({ held: false, holder: 'a' });
    expect(a.keeper.status).toMatchObject({ held: true, holder: 'a' });
    const renewals = (await store.readStream(NOTIFICATIONS_LEASE_STREAM)).filter((e) => e.type === LEASE_RENEWED).length;
    expect(renewals).toBeGreaterThanOrEqual(6);
    expect(b.journal.acquired).toHaveLength(0);
  });

  it('a holder that cannot renew stops before its lease expires, and another takes over only after it expired', async () => {
    const shared = new InMemoryEventStore();
    const down = failingAppends(shared);
    const a = keep(down.store, 'a');
    const b = keep(shared, 'b');
    expect(await a.keeper.start()).toBe(true);
    await b.keeper.start();
    await sleep(400); // one renewal went through
    down.fail(true);
    await until('the holder to give up', () => a.journal.lost.length > 0, 3_000);
    await until('the other to take over', () => b.journal.acquired.length > 0, 3_000);
    const lostAt = a.journal.lost[0]!.at;
    // The expiry its last successful renewal wrote: it stopped a margin before, by its own clock.
    const lastExpiry = a.keeper.lease.expiresAtMs!;
    expect(lostAt).toBeGreaterThanOrEqual(lastExpiry - FAST.marginMs - 5);
    expect(lostAt).toBeLessThanOrEqual(lastExpiry - FAST.marginMs + 100);
    expect(a.journal.lost[0]!.reason).toMatch(/could not be renewed before/);
    const takenAt = b.journal.acquired[0]!.at;
    const previous = b.journal.acquired[0]!.attempt.previous!;
    expect(previous).toMatchObject({ holder: 'a', expiresAtMs: lastExpiry });
    expect(takenAt).toBeGreaterThan(lastExpiry);
    expect(a.keeper.isHeld).toBe(false);
  });

  it('a holder that stops renewing (killed) is taken over within ttl + one look', async () => {
    const store = new InMemoryEventStore();
    const a = keep(store, 'a');
    const b = keep(store, 'b');
    await a.keeper.start();
    await b.keeper.start();
    await sleep(350);
    // As if killed: no more renewals, no release.
    a.keeper.halt();
    const lastRenewal = Date.now();
    await until('the take-over', () => b.journal.acquired.length > 0, 3_000);
    expect(b.journal.acquired[0]!.at - lastRenewal).toBeLessThanOrEqual(FAST.ttlMs + FAST.pollMs + 100);
    a.keeper.lease.forget();
  });

  it('a release on stop hands over at the next look, not after the ttl', async () => {
    const store = new InMemoryEventStore();
    const a = keep(store, 'a');
    const b = keep(store, 'b');
    await a.keeper.start();
    await b.keeper.start();
    const stoppedAt = Date.now();
    await a.keeper.stop();
    await until('the take-over', () => b.journal.acquired.length > 0, 3_000);
    expect(b.journal.acquired[0]!.at - stoppedAt).toBeLessThan(FAST.ttlMs);
    expect(b.journal.acquired[0]!.attempt.previous).toMatchObject({ holder: 'a', released: true });
  });
});

describe('the lease keeper on the EventStoreDB test server', () => {
  let server: EsdbTestServerHandle;
  afterEach(async () => {
    server.resume();
    await server.stop();
  });

  it('a holder whose server stops answering gives the lease up before it expires, while its renewal still hangs', async () => {
    server = await startEsdbTestServer();
    const store = createEsdbEventStore(server.connectionString, { callDeadlineMs: 10_000 });
    const { keeper, journal } = keeperOn(store, 'a');
    try {
      expect(await keeper.start()).toBe(true);
      await sleep(400);
      server.stall();
      await until('the holder to give up', () => journal.lost.length > 0, 3_000);
      // A margin before the expiry of its last renewal that went through, by its own clock.
      const lastExpiry = keeper.lease.expiresAtMs!;
      expect(journal.lost[0]!.at).toBeGreaterThanOrEqual(lastExpiry - FAST.marginMs - 5);
      expect(journal.lost[0]!.at).toBeLessThanOrEqual(lastExpiry - FAST.marginMs + 100);
      expect(keeper.status.held).toBe(false);
    } finally {
      keeper.halt();
      server.resume();
      await store.close();
    }
  });
});
