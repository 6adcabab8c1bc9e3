import { createHash } from 'node:crypto';
import { outageDecider, type DomainEvent, type OutageBoard, type OutageCommand } from '@support-sla/domain';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { WrongExpectedRevisionError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from '../event-store/event-store.port';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';
import { IdempotencyKeyReusedError } from '../idempotency/idempotency-key-reused.error';
import {
  CommandExecutor,
  ConcurrencyConflictError,
  REDECIDE_MAX_DELAY_MS,
  RedecideBudgetExceededError,
  redecideDelayMs,
  roundTrip,
  unscopedKey,
  UnstorableEventError,
  type CommandContext,
  type Sealer,
} from './command-executor';

// The executor through the slices' command handlers: e2e/command-path.test.ts.
describe('nothing is stored that cannot be read back (issue 20)', () => {
  test('roundTrip returns what the store will hold, and refuses an instant the codec would not read back', () => {
    const at = '2026-03-06T22:30:00.000Z';
    const declared = { type: 'OutageDeclared', schemaVersion: 1, data: { at, by: { id: 'm', role: 'monitor' }, outageId: 'OUTAGE-0001', declaredAt: '1900-12-31T00:01:00.000Z' } } as unknown as DomainEvent;
    expect(() => roundTrip(declared)).toThrow(UnstorableEventError);
    expect(() => roundTrip(declared)).toThrow(/OutageDeclared\.data\.declaredAt/);
    const fine = { ...declared, data: { ...(declared.data as object), declaredAt: at } } as unknown as DomainEvent;
    expect(roundTrip(fine)).toEqual(JSON.parse(JSON.stringify(fine)));
  });
});

// ---------------------------------------------------------------------------------------------
// Re-decidable commands (issue 21, point 4) and replays that answer as the first time (point 5).

const clockAt = (iso: string) => () => new Date(iso);
const chainSeal: Sealer = (streamId, firstRevision, previousHash, events) => {
  let prev = previousHash;
  return events.map((e, i): NewEvent => {
    const hash = createHash('sha256').update(`${streamId}/${firstRevision + BigInt(i)}/${prev}/${JSON.stringify(e.data)}`).digest('hex');
    const sealed: NewEvent = { ...e, metadata: { ...e.metadata, previousHash: prev, hash } };
    prev = hash;
    return sealed;
  });
};
const monitorContext = (monitor: string, extra: Partial<CommandContext> = {}): CommandContext => ({
  actorId: `mon-${monitor}`,
  actorRole: 'monitor',
  correlationId: 'corr',
  causationId: 'cause',
  ...extra,
});
const report = (monitor: 'chicago' | 'california' | 'atlanta', status: 'up' | 'down', observedAt: string) => (_board: OutageBoard, now: string) =>
  ({ type: 'ReportMonitorStatus', now, actor: { id: `mon-${monitor}`, role: 'monitor' }, data: { monitor, status, observedAt } }) as OutageCommand;

/** A store whose first `conflicts` appends to the board lose to another writer (who appends a report first). */
const racingStore = (inner: InMemoryEventStore, conflicts: number): { store: EventStore; appends: () => number } => {
  let appends = 0;
  let lost = 0;
  const store: EventStore = Object.assign(Object.create(inner) as EventStore, {
    appendToStream: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
      appends++;
      if (lost < conflicts) {
        lost++;
        throw new WrongExpectedRevisionError(streamId, expected === 'no-stream' ? -1n : (expected as bigint), 99n);
      }
      return inner.appendToStream(streamId, events, expected);
    },
    readStream: inner.readStream.bind(inner),
  });
  return { store, appends: () => appends };
};

describe('re-decidable commands keep retrying within a time budget (issue 21)', () => {
  const at = '2026-03-06T22:30:00.000Z';

  test('with redecide, a command that loses more races than maxAttempts still lands; without it, it is a 409', async () => {
    const inner = new InMemoryEventStore();
    const { store, appends } = racingStore(inner, 7);
    const executor = new CommandExecutor(store, { clock: clockAt(at), seal: chainSeal, maxAttempts: 1, redecideDelayMs: () => 0 });
    const result = await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', at), monitorContext('chicago'), { redecide: true });
    expect(result.retries).toBe(7);
    expect(appends()).toBe(8);
    expect((await inner.readStream(OUTAGE_BOARD_STREAM)).map((e) => e.type)).toEqual(['MonitorReportedStatus']);

    const { store: strict } = racingStore(new InMemoryEventStore(), 1);
    const classic = new CommandExecutor(strict, { clock: clockAt(at), seal: chainSeal, maxAttempts: 1 });
    await expect(classic.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', at), monitorContext('chicago'))).rejects.toBeInstanceOf(ConcurrencyConflictError);
  });

  test('once the budget is used up it is RedecideBudgetExceededError (503), and nothing was stored', async () => {
    const inner = new InMemoryEventStore();
    const { store, appends } = racingStore(inner, Number.POSITIVE_INFINITY);
    const executor = new CommandExecutor(store, { clock: clockAt(at), seal: chainSeal, maxAttempts: 1, redecideBudgetMs: 200, redecideDelayMs: () => 5 });
    const started = performance.now();
    const error = await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', at), monitorContext('chicago'), { redecide: true }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(RedecideBudgetExceededError);
    expect(error).toMatchObject({ name: 'RedecideBudgetExceededError', streamId: OUTAGE_BOARD_STREAM, budgetMs: 200 });
    expect((error as RedecideBudgetExceededError).message).toMatch(/kept changing for 200 ms/);
    // Several attempts (pauses of 5 ms; a loaded machine stretches them), and over soon after the budget.
    expect(appends()).toBeGreaterThan(1);
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(3_000);
    expect(await inner.readStream(OUTAGE_BOARD_STREAM)).toEqual([]);
  });

  test('the pause between attempts is jittered, grows from 2 ms and is capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 40].map((n) => redecideDelayMs(n, () => 1))).toEqual([2, 4, 8, 16, 32, 64, REDECIDE_MAX_DELAY_MS, REDECIDE_MAX_DELAY_MS, REDECIDE_MAX_DELAY_MS]);
    expect(redecideDelayMs(3, () => 0)).toBe(0);
    expect(redecideDelayMs(3, () => 0.5)).toBe(4);
  });
});

describe('a keyed command replayed from the log answers exactly as the first time (issue 21)', () => {
  const at = '2026-03-06T22:30:00.000Z';
  const key = JSON.stringify(['acme', 'mon-chicago', 'POST /monitors/chicago/reports', 'k-1']);

  test('state, revision and position are those right after the replayed events, not the stream as it is now', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store, { clock: clockAt(at), seal: chainSeal });
    const first = await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', '2026-03-06T22:00:00.000Z'), monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-1' }));
    expect(first.replayed).toBe(false);
    // Later reports change the board (all three down: an outage is declared).
    await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('california', 'down', '2026-03-06T22:01:00.000Z'), monitorContext('california'));
    await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('atlanta', 'down', '2026-03-06T22:02:00.000Z'), monitorContext('atlanta'));
    let replays = 0;
    const again = await executor.execute(
      outageDecider,
      OUTAGE_BOARD_STREAM,
      report('chicago', 'down', '2026-03-06T22:00:00.000Z'),
      monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-1', onReplayed: () => replays++ }),
    );
    expect(again).toEqual({ ...first, replayed: true });
    expect(replays).toBe(1);
    const now = await executor.load(outageDecider, OUTAGE_BOARD_STREAM);
    expect(now.state.outages).toHaveLength(1);
    expect(again.state.outages).toHaveLength(0);
    expect(again.revision).toBe(0n);
  });

  test('the fingerprint is stored with the events; the key reused for another request is refused from the log', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store, { clock: clockAt(at), seal: chainSeal });
    await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', '2026-03-06T22:00:00.000Z'), monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-1' }));
    const [stored] = await store.readStream(OUTAGE_BOARD_STREAM);
    expect(stored!.metadata).toMatchObject({ idempotencyKey: key, idempotencyFingerprint: 'f-1' });
    let replays = 0;
    const reused = await executor
      .execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'up', '2026-03-06T22:05:00.000Z'), monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-2', onReplayed: () => replays++ }))
      .catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(reused).toMatchObject({ name: 'IdempotencyKeyReusedError', key: 'k-1', code: 'idempotency_key_reused' });
    expect(replays).toBe(0);
    expect(await store.readStream(OUTAGE_BOARD_STREAM)).toHaveLength(1);
  });

  test('events stored without a fingerprint (before it was stored) are replayed as before', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store, { clock: clockAt(at), seal: chainSeal });
    const first = await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', '2026-03-06T22:00:00.000Z'), monitorContext('chicago', { idempotencyKey: key }));
    expect((await store.readStream(OUTAGE_BOARD_STREAM))[0]!.metadata).not.toHaveProperty('idempotencyFingerprint');
    const again = await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, report('chicago', 'down', '2026-03-06T22:00:00.000Z'), monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-9' }));
    expect(again).toEqual({ ...first, replayed: true });
  });

  test('the same keyed request appended first by another replica while this one was deciding: the answer is that request\'s', async () => {
    const inner = new InMemoryEventStore();
    const other = new CommandExecutor(inner, { clock: clockAt('2026-03-06T22:30:00.000Z'), seal: chainSeal });
    const sameReport = report('chicago', 'down', '2026-03-06T22:00:00.000Z');
    let theirs: Awaited<ReturnType<typeof other.execute<OutageCommand, OutageBoard, never>>> | undefined;
    const behind = (fingerprint: string): EventStore =>
      Object.assign(Object.create(inner) as EventStore, {
        appendToStream: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
          // The other replica read the same revision, decided (a second earlier) and appended first.
          theirs ??= await other.execute(outageDecider, OUTAGE_BOARD_STREAM, sameReport, monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: fingerprint }));
          return inner.appendToStream(streamId, events, expected);
        },
        readStream: inner.readStream.bind(inner),
      });
    // Decided a second later than theirs, so its own events (and answer) would differ.
    const mine = new CommandExecutor(behind('f-1'), { clock: clockAt('2026-03-06T22:30:01.000Z'), seal: chainSeal });
    let replays = 0;
    const answer = await mine.execute(outageDecider, OUTAGE_BOARD_STREAM, sameReport, monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-1', onReplayed: () => replays++ }));
    expect(theirs).toBeDefined();
    expect(answer).toEqual({ ...theirs!, replayed: true });
    expect(replays).toBe(1);
    expect(await inner.readStream(OUTAGE_BOARD_STREAM)).toHaveLength(1);

    // The same race with the key reused for another body: refused.
    const inner2 = new InMemoryEventStore();
    const other2 = new CommandExecutor(inner2, { clock: clockAt('2026-03-06T22:30:00.000Z'), seal: chainSeal });
    let raced = false;
    const behind2: EventStore = Object.assign(Object.create(inner2) as EventStore, {
      appendToStream: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
        if (!raced) {
          raced = true;
          await other2.execute(outageDecider, OUTAGE_BOARD_STREAM, sameReport, monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-1' }));
        }
        return inner2.appendToStream(streamId, events, expected);
      },
      readStream: inner2.readStream.bind(inner2),
    });
    const reusing = new CommandExecutor(behind2, { clock: clockAt('2026-03-06T22:30:01.000Z'), seal: chainSeal });
    await expect(reusing.execute(outageDecider, OUTAGE_BOARD_STREAM, sameReport, monitorContext('chicago', { idempotencyKey: key, idempotencyFingerprint: 'f-2' }))).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });

  test('unscopedKey gives the client key of a scoped key and leaves a service-made key alone', () => {
    expect(unscopedKey(key)).toBe('k-1');
    expect(unscopedKey('notification-sent:m-1')).toBe('notification-sent:m-1');
    expect(unscopedKey('["a","b"]')).toBe('["a","b"]');
  });
});
