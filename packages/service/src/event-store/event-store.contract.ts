import { randomUUID } from 'node:crypto';
import {
  AppendTooLargeError,
  comparePositions,
  EventStoreUnavailableError,
  StreamDeletedError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type GlobalPosition,
  type NewEvent,
  type StoredEvent,
  type Subscription,
} from './event-store.port';

/**
 * What a contract run needs from an adapter: a fresh (or at least usable) store and a way to
 * dispose of it, plus, for stores with tombstones, a way to tombstone a stream from outside
 * the port (the port has no delete).
 */
export type MakeEventStore = () => Promise<{
  store: EventStore;
  cleanup(): Promise<void>;
  tombstone?(streamId: string): Promise<void>;
  /** Makes the store's server accept calls and answer none, until `resume`. */
  stall?(): void;
  resume?(): void;
  /** Makes the store's server refuse writes as too busy (on) or take them again (off). */
  busy?(on: boolean): void;
  /** Makes the node the store talks to step down, naming another node of its cluster as the leader. */
  changeLeader?(): void;
}>;

/**
 * What some stores have and others do not. A case that needs a capability runs only for stores
 * declaring it, and says so in its name; for the others it is not registered (the run has no
 * skipped test) and one line of the run's output names it as not applicable.
 */
export interface ContractCapabilities {
  /** Streams can be deleted for good (EventStoreDB tombstones); `makeStore` must then give `tombstone`. */
  readonly tombstones?: boolean;
  /** The store refuses appends larger than this many bytes of event data and metadata (EventStoreDB's `MaxAppendSize`). */
  readonly maxAppendBytes?: number;
  /**
   * The store fails a call its server does not answer within this many milliseconds with
   * `EventStoreUnavailableError`; `makeStore` must then give `stall` and `resume`.
   */
  readonly callDeadlineMs?: number;
  /** The store's server can refuse a write as too busy; `makeStore` must then give `busy`. */
  readonly busyRefusals?: boolean;
  /**
   * The store runs on a cluster whose leader can change (an EventStoreDB follower answers
   * NotLeader); `makeStore` must then give `changeLeader`.
   */
  readonly leaderChanges?: boolean;
}

/** An event with complete, valid-looking metadata; `extra` is merged into the metadata. */
export function contractEvent(type: string, data: unknown, extra: Record<string, unknown> = {}): NewEvent {
  const metadata: EventMetadata = {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actorId: 'user-1',
    actorRole: 'agent',
    occurredAt: '2026-03-02T14:00:00.000Z',
    recordedAt: '2026-03-02T14:00:01.000Z',
    schemaVersion: 1,
    previousHash: '',
    hash: 'f'.repeat(64),
    ...extra,
  };
  return { id: randomUUID(), type, data, metadata };
}

const ids = (events: readonly StoredEvent[]): string[] => events.map((e) => e.id);
const revisions = (events: readonly StoredEvent[]): bigint[] => events.map((e) => e.revision);

/** Collects subscription deliveries and lets a test wait until enough arrived. */
class Collector {
  readonly events: StoredEvent[] = [];
  readonly checkpoints: GlobalPosition[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly onEvent = (event: StoredEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => (this.events.length >= w.count ? (w.resolve(), false) : true));
  };

  readonly onCheckpoint = (position: GlobalPosition): void => {
    this.checkpoints.push(position);
  };

  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${this.events.length}/${count} events`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function expectConflict(promise: Promise<unknown>, actual: bigint | 'no-stream'): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect((error as WrongExpectedRevisionError).actual).toBe(actual);
}

/**
 * The behaviour every event-store adapter must show. Tests use stream names unique to the run and
 * positions relative to the head they found, so a store that already holds events can run them too.
 */
export function describeEventStoreContract(name: string, makeStore: MakeEventStore, capabilities: ContractCapabilities = {}): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    let tombstone: ((streamId: string) => Promise<void>) | undefined;
    let stall: (() => void) | undefined;
    let resume: (() => void) | undefined;
    let busy: ((on: boolean) => void) | undefined;
    let changeLeader: (() => void) | undefined;
    let run: string;
    const subscriptions: Subscription[] = [];
    /** `it` for a case the store has the capability for; otherwise a line in the run's output. */
    const caseIf =
      (applies: boolean) =>
      (title: string, test: () => Promise<void>): void => {
        if (applies) it(title, test);
        else process.stdout.write(`event store contract: ${name}: not applicable, not run: ${title}\n`);
      };

    beforeEach(async () => {
      ({ store, cleanup, tombstone, stall, resume, busy, changeLeader } = await makeStore());
      run = randomUUID().slice(0, 8);
    });

    afterEach(async () => {
      resume?.();
      busy?.(false);
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await cleanup();
    });

    const stream = (kind: string): string => `${kind}-${run}`;
    const subscribe = (options: Parameters<EventStore['subscribeToAll']>[0]): Subscription => {
      const subscription = store.subscribeToAll(options);
      subscriptions.push(subscription);
      return subscription;
    };

    describe('append', () => {
      it('creates a stream with no-stream and reports the last revision and its global position', async () => {
        const id = stream('ticket');
        const result = await store.appendToStream(id, [contractEvent('A', { n: 1 }), contractEvent('B', { n: 2 })], 'no-stream');
        expect(result.nextExpectedRevision).toBe(1n);
        const read = await store.readStream(id);
        expect(revisions(read)).toEqual([0n, 1n]);
        expect(read[1]!.position).toEqual(result.position);
      });

      it('appends at the revision it was told and conflicts otherwise, naming the actual revision', async () => {
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        await expectConflict(store.appendToStream(id, [contractEvent('B', {})], 'no-stream'), 0n);
        await expectConflict(store.appendToStream(id, [contractEvent('B', {})], 5n), 0n);
        const ok = await store.appendToStream(id, [contractEvent('B', {})], 0n);
        expect(ok.nextExpectedRevision).toBe(1n);
        await expectConflict(store.appendToStream(id, [contractEvent('C', {})], 0n), 1n);
        expect(revisions(await store.readStream(id))).toEqual([0n, 1n]);
      });

      it('conflicts with actual no-stream when a revision is expected of a missing stream', async () => {
        const id = stream('ticket');
        await expectConflict(store.appendToStream(id, [contractEvent('A', {})], 0n), 'no-stream');
        expect(await store.readStream(id)).toEqual([]);
      });

      it('treats a re-append of the same event ids at the same expected revision as done, returning the original result', async () => {
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        const batch = [contractEvent('B', { x: 1 }), contractEvent('C', { x: 2 })];
        const first = await store.appendToStream(id, batch, 0n);
        await store.appendToStream(id, [contractEvent('D', {})], 2n);
        const retry = await store.appendToStream(id, batch, 0n);
        expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(comparePositions(retry.position, first.position)).toBe(0);
        // A store that can tell says which append wrote and which found its events stored.
        if (retry.alreadyStored !== undefined) expect([first.alreadyStored, retry.alreadyStored]).toEqual([false, true]);
        const read = await store.readStream(id);
        expect(read.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
        const firstOfStream = [contractEvent('Z', {})];
        const created = await store.appendToStream(stream('outage'), firstOfStream, 'no-stream');
        const again = await store.appendToStream(stream('outage'), firstOfStream, 'no-stream');
        expect(again.nextExpectedRevision).toBe(0n);
        expect(comparePositions(again.position, created.position)).toBe(0);
        expect(await store.readStream(stream('outage'))).toHaveLength(1);
      });

      it('still conflicts when different event ids are appended at a stale revision', async () => {
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        await store.appendToStream(id, [contractEvent('B', {})], 0n);
        await expectConflict(store.appendToStream(id, [contractEvent('B', {})], 0n), 1n);
      });

      it('gives exactly one winner per revision among 50 concurrent writers and loses no event', async () => {
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('Opened', {})], 'no-stream');
        // Everyone races for revision 1 once: exactly one may win.
        const race = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.appendToStream(id, [contractEvent('Raced', { i })], 0n)));
        expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of race) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);

        // Then 50 writers that reload and retry until they land.
        const winners = new Map<bigint, number>();
        const writers = Array.from({ length: 50 }, async (_, writer) => {
          const event = contractEvent('Written', { writer });
          for (let attempt = 0; attempt < 500; attempt++) {
            const last = (await store.readStream(id, { direction: 'backwards', maxCount: 1 }))[0]!;
            try {
              const result = await store.appendToStream(id, [event], last.revision);
              expect(winners.has(result.nextExpectedRevision)).toBe(false);
              winners.set(result.nextExpectedRevision, writer);
              return event.id;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
            }
          }
          throw new Error(`writer ${writer} never got through`);
        });
        const written = await Promise.all(writers);
        const read = await store.readStream(id);
        expect(revisions(read)).toEqual(Array.from({ length: 52 }, (_, i) => BigInt(i)));
        expect(new Set(ids(read.slice(2)))).toEqual(new Set(written));
        expect(winners.size).toBe(50);
      });

      it('stores data and metadata verbatim, including extra metadata fields', async () => {
        const id = stream('ticket');
        const data = { text: 'naïve — “quotes” \u2028', nested: { list: [1, 2.5, null, true], empty: {} }, big: 9007199254740991 };
        const event = contractEvent('Weird', data, { idempotencyKey: 'key-1', extras: { a: [1, { b: 'c' }] } });
        await store.appendToStream(id, [event], 'no-stream');
        const [read] = await store.readStream(id);
        expect(read!.id).toBe(event.id);
        expect(read!.streamId).toBe(id);
        expect(read!.type).toBe('Weird');
        expect(read!.data).toEqual(data);
        expect(read!.metadata).toEqual(event.metadata);
      });

      it('uses bigint revisions and positions', async () => {
        const id = stream('ticket');
        const result = await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        expect(typeof result.nextExpectedRevision).toBe('bigint');
        expect(typeof result.position.commit).toBe('bigint');
        expect(typeof result.position.prepare).toBe('bigint');
        const [read] = await store.readStream(id);
        expect(typeof read!.revision).toBe('bigint');
        expect(typeof read!.position.commit).toBe('bigint');
        const head = await store.headPosition();
        expect(head).toBeDefined();
        expect(comparePositions(head!, result.position)).toBe(0);
      });
    });

    describe('reading a stream', () => {
      const fill = async (id: string, count: number): Promise<void> => {
        await store.appendToStream(
          id,
          Array.from({ length: count }, (_, n) => contractEvent('N', { n })),
          'no-stream',
        );
      };

      it('reads forwards, from a revision, and at most maxCount', async () => {
        const id = stream('ticket');
        await fill(id, 6);
        expect(revisions(await store.readStream(id))).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
        expect(revisions(await store.readStream(id, { fromRevision: 3n }))).toEqual([3n, 4n, 5n]);
        expect(revisions(await store.readStream(id, { fromRevision: 1n, maxCount: 2 }))).toEqual([1n, 2n]);
        expect(await store.readStream(id, { fromRevision: 6n })).toEqual([]);
      });

      it('reads backwards from the end or from a revision', async () => {
        const id = stream('ticket');
        await fill(id, 5);
        expect(revisions(await store.readStream(id, { direction: 'backwards' }))).toEqual([4n, 3n, 2n, 1n, 0n]);
        expect(revisions(await store.readStream(id, { direction: 'backwards', maxCount: 2 }))).toEqual([4n, 3n]);
        expect(revisions(await store.readStream(id, { direction: 'backwards', fromRevision: 2n }))).toEqual([2n, 1n, 0n]);
      });

      it('reads an unknown stream as empty, in both directions', async () => {
        expect(await store.readStream(stream('nothing'))).toEqual([]);
        expect(await store.readStream(stream('nothing'), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('the global log', () => {
      it('keeps appends in one global order with increasing positions and pages with `after`', async () => {
        const start = await store.headPosition();
        const order: string[] = [];
        for (let i = 0; i < 9; i++) {
          const event = contractEvent('E', { i });
          await store.appendToStream(stream(`s${i % 3}`), [event], i < 3 ? 'no-stream' : BigInt(Math.floor(i / 3) - 1));
          order.push(event.id);
        }
        const all = (await store.readAll({ after: start })).filter((e) => e.streamId.endsWith(run));
        expect(ids(all)).toEqual(order);
        for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBe(-1);

        const paged: StoredEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 4 });
          expect(page.length).toBeLessThanOrEqual(4);
          if (page.length === 0) break;
          paged.push(...page);
          after = page[page.length - 1]!.position;
        }
        expect(ids(paged.filter((e) => e.streamId.endsWith(run)))).toEqual(order);
      });

      it('filters the global log by stream prefixes', async () => {
        const start = await store.headPosition();
        const ticketA = contractEvent('T', {});
        const outage = contractEvent('O', {});
        const ticketB = contractEvent('T', {});
        const policy = contractEvent('P', {});
        await store.appendToStream(`ticket-${run}-a`, [ticketA], 'no-stream');
        await store.appendToStream(`outage-${run}`, [outage], 'no-stream');
        await store.appendToStream(`ticket-${run}-b`, [ticketB], 'no-stream');
        await store.appendToStream(`policy-${run}`, [policy], 'no-stream');
        expect(ids(await store.readAll({ after: start, streamPrefixes: [`ticket-${run}`] }))).toEqual([ticketA.id, ticketB.id]);
        expect(ids(await store.readAll({ after: start, streamPrefixes: [`ticket-${run}`, `policy-${run}`] }))).toEqual([ticketA.id, ticketB.id, policy.id]);
        expect(ids(await store.readAll({ after: start, streamPrefixes: [`ticket-${run}`], maxCount: 1 }))).toEqual([ticketA.id]);
      });

      it('reads nothing after the head position', async () => {
        await store.appendToStream(stream('ticket'), [contractEvent('A', {})], 'no-stream');
        const head = await store.headPosition();
        expect(await store.readAll({ after: head })).toEqual([]);
      });
    });

    describe('subscriptions to the global log', () => {
      it('catches up and then delivers live appends in order, exactly once', async () => {
        const start = await store.headPosition();
        const before = [contractEvent('A', {}), contractEvent('B', {})];
        await store.appendToStream(stream('ticket'), before, 'no-stream');
        const collector = new Collector();
        subscribe({ after: start, streamPrefixes: [`ticket-${run}`], onEvent: collector.onEvent });
        await collector.waitFor(2);
        const live = [contractEvent('C', {}), contractEvent('D', {})];
        await store.appendToStream(stream('ticket'), [live[0]!], 1n);
        await store.appendToStream(stream('ticket'), [live[1]!], 2n);
        await collector.waitFor(4);
        await sleep(100);
        expect(ids(collector.events)).toEqual([...before, ...live].map((e) => e.id));
      });

      it('resumes strictly after a position without skipping or repeating', async () => {
        const events = Array.from({ length: 6 }, (_, n) => contractEvent('N', { n }));
        await store.appendToStream(stream('ticket'), events, 'no-stream');
        const all = await store.readStream(stream('ticket'));
        const collector = new Collector();
        subscribe({ after: all[2]!.position, streamPrefixes: [`ticket-${run}`], onEvent: collector.onEvent });
        await collector.waitFor(3);
        const more = contractEvent('N', { n: 6 });
        await store.appendToStream(stream('ticket'), [more], 5n);
        await collector.waitFor(4);
        await sleep(100);
        expect(ids(collector.events)).toEqual([...events.slice(3).map((e) => e.id), more.id]);
      });

      it('resumes from a position at the end of the log, delivering only what comes next', async () => {
        await store.appendToStream(stream('ticket'), [contractEvent('Old', {})], 'no-stream');
        const head = await store.headPosition();
        const collector = new Collector();
        subscribe({ after: head, streamPrefixes: [`ticket-${run}`], onEvent: collector.onEvent });
        await sleep(150);
        expect(collector.events).toEqual([]);
        const next = contractEvent('New', {});
        await store.appendToStream(stream('ticket'), [next], 0n);
        await collector.waitFor(1);
        expect(ids(collector.events)).toEqual([next.id]);
      });

      it('resumes from a checkpoint that lies past the last matching event', async () => {
        await store.appendToStream(stream('ticket'), [contractEvent('T', {})], 'no-stream');
        await store.appendToStream(stream('other'), [contractEvent('X', {}), contractEvent('Y', {})], 'no-stream');
        const checkpoint = await store.headPosition();
        const collector = new Collector();
        subscribe({ after: checkpoint, streamPrefixes: [`ticket-${run}`], onEvent: collector.onEvent });
        const next = contractEvent('T2', {});
        await store.appendToStream(stream('ticket'), [next], 0n);
        await collector.waitFor(1);
        await sleep(100);
        expect(ids(collector.events)).toEqual([next.id]);
      });

      it('waits for a slow handler before delivering the next event', async () => {
        const start = await store.headPosition();
        await store.appendToStream(stream('ticket'), [contractEvent('A', {}), contractEvent('B', {}), contractEvent('C', {})], 'no-stream');
        let busy = false;
        let overlapped = false;
        const collector = new Collector();
        subscribe({
          after: start,
          streamPrefixes: [`ticket-${run}`],
          onEvent: async (event) => {
            if (busy) overlapped = true;
            busy = true;
            await sleep(20);
            busy = false;
            collector.onEvent(event);
          },
        });
        await collector.waitFor(3);
        expect(overlapped).toBe(false);
        expect(collector.events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('delivers nothing more once stopped', async () => {
        const start = await store.headPosition();
        await store.appendToStream(stream('ticket'), [contractEvent('A', {})], 'no-stream');
        const collector = new Collector();
        const subscription = subscribe({ after: start, streamPrefixes: [`ticket-${run}`], onEvent: collector.onEvent });
        await collector.waitFor(1);
        await subscription.stop();
        await store.appendToStream(stream('ticket'), [contractEvent('B', {})], 0n);
        await sleep(300);
        expect(collector.events.map((e) => e.type)).toEqual(['A']);
      });
    });

    describe('store-specific limits', () => {
      const maxAppendBytes = capabilities.maxAppendBytes;

      caseIf(capabilities.tombstones === true)('a tombstoned stream fails reads and appends with StreamDeletedError (stores with tombstones only)', async () => {
        if (!tombstone) throw new Error('the harness declares tombstones but gave no tombstone function');
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        await tombstone(id);
        const readError: unknown = await store.readStream(id).then(() => undefined, (e: unknown) => e);
        expect(readError).toBeInstanceOf(StreamDeletedError);
        expect((readError as StreamDeletedError).streamId).toBe(id);
        await expect(store.readStream(id, { direction: 'backwards', maxCount: 1 })).rejects.toBeInstanceOf(StreamDeletedError);
        const appendError: unknown = await store.appendToStream(id, [contractEvent('B', {})], 0n).then(() => undefined, (e: unknown) => e);
        expect(appendError).toBeInstanceOf(StreamDeletedError);
        expect((appendError as StreamDeletedError).streamId).toBe(id);
        // Other streams are untouched.
        await store.appendToStream(stream('outage'), [contractEvent('O', {})], 'no-stream');
        expect(await store.readStream(stream('outage'))).toHaveLength(1);
      });

      caseIf(maxAppendBytes !== undefined)('refuses an append over the maximum append size with AppendTooLargeError naming the limit, storing nothing (stores with a size limit only)', async () => {
        if (maxAppendBytes === undefined) throw new Error('unreachable: the case runs only with a limit');
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        const half = 'x'.repeat(Math.ceil(maxAppendBytes / 2));
        const tooLarge = [contractEvent('Big', { half }), contractEvent('Big', { half }), contractEvent('Big', { half })];
        const error: unknown = await store.appendToStream(id, tooLarge, 0n).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(AppendTooLargeError);
        expect((error as AppendTooLargeError).streamId).toBe(id);
        expect((error as AppendTooLargeError).maxAppendBytes).toBe(maxAppendBytes);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A']);
        // The stream is not poisoned: a normal append at the same revision still lands.
        const ok = await store.appendToStream(id, [contractEvent('B', { small: true })], 0n);
        expect(ok.nextExpectedRevision).toBe(1n);
      });

      const deadlineMs = capabilities.callDeadlineMs;
      caseIf(deadlineMs !== undefined)('fails reads and appends with EventStoreUnavailableError within its deadline while the server accepts calls and answers none, and works again once it answers (stores with a call deadline only)', async () => {
        if (deadlineMs === undefined || !stall || !resume) throw new Error('the harness declares a call deadline but gave no stall/resume');
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        stall();
        const timed = async (call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
          const started = performance.now();
          const error = await call().then(() => undefined, (e: unknown) => e);
          return { error, ms: performance.now() - started };
        };
        const outcomes = await Promise.all([
          timed(() => store.appendToStream(id, [contractEvent('B', {})], 0n)),
          timed(() => store.readStream(id)),
          timed(() => store.readAll()),
          timed(() => store.headPosition()),
        ]);
        for (const { error, ms } of outcomes) {
          expect(error).toBeInstanceOf(EventStoreUnavailableError);
          expect(ms).toBeGreaterThanOrEqual(deadlineMs * 0.9);
          expect(ms).toBeLessThan(deadlineMs + 1_500);
        }
        resume();
        // The timed-out append may or may not have landed (its outcome is unknown to the caller,
        // as with any lost answer); the stream answers again either way.
        const read = await store.readStream(id);
        expect(read.map((e) => e.type)).toEqual(read.length === 1 ? ['A'] : ['A', 'B']);
        const next = await store.appendToStream(id, [contractEvent('C', {})], read[read.length - 1]!.revision);
        expect(next.nextExpectedRevision).toBe(BigInt(read.length));
      });

      caseIf(capabilities.busyRefusals === true)('fails an append the server refuses as too busy with EventStoreUnavailableError, storing nothing, and appends again once it takes writes (stores whose server can be busy only)', async () => {
        if (!busy) throw new Error('the harness declares busy refusals but gave no busy switch');
        const id = stream('ticket');
        await store.appendToStream(id, [contractEvent('A', {})], 'no-stream');
        busy(true);
        await expect(store.appendToStream(id, [contractEvent('B', {})], 0n)).rejects.toBeInstanceOf(EventStoreUnavailableError);
        await expect(store.appendToStream(stream('outage'), [contractEvent('O', {})], 'no-stream')).rejects.toBeInstanceOf(EventStoreUnavailableError);
        busy(false);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A']);
        expect(await store.readStream(stream('outage'))).toEqual([]);
        const ok = await store.appendToStream(id, [contractEvent('B', {})], 0n);
        expect(ok.nextExpectedRevision).toBe(1n);
      });

      caseIf(capabilities.leaderChanges === true)('keeps appending across leader changes, and every acknowledged append is stored exactly once (stores on a cluster only)', async () => {
        if (!changeLeader) throw new Error('the harness declares leader changes but gave no changeLeader switch');
        const id = stream('ticket');
        const acknowledged: string[] = [];
        const others: string[] = [];
        let expected: bigint | 'no-stream' = 'no-stream';
        for (let round = 0; round < 3; round += 1) {
          if (round > 0) changeLeader();
          // One append in flight on another stream as the change is met, and two in order on one stream.
          const other = contractEvent('O', { round });
          await Promise.all([
            store.appendToStream(stream(`outage${round}`), [other], 'no-stream'),
            (async () => {
              for (let i = 0; i < 2; i += 1) {
                const event = contractEvent('T', { round, i });
                expected = (await store.appendToStream(id, [event], expected)).nextExpectedRevision;
                acknowledged.push(event.id);
              }
            })(),
          ]);
          others.push(other.id);
        }
        const read = await store.readStream(id);
        expect(ids(read)).toEqual(acknowledged);
        expect(revisions(read)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
        const outages = [0, 1, 2].map((round) => stream(`outage${round}`));
        for (const [round, outage] of outages.entries()) expect(ids(await store.readStream(outage))).toEqual([others[round]]);
        const all = ids(await store.readAll({ streamPrefixes: [id, ...outages] }));
        expect([...all].sort()).toEqual([...acknowledged, ...others].sort());
      });
    });
  });
}
