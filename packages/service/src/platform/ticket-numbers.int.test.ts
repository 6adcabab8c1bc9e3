import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatTicketNumber, parseTicketNumber } from '../application/ticket-number';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { WrongExpectedRevisionError, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { claimStream, STREAM_PREFIXES, TICKET_NUMBER_FLOOR_STREAM } from '../event-store/streams';
import { verifyChain } from '../hash-chain';
import { MEMORY_STORE, SQLITE_FILE } from '../testing/shared-stores';
import { LegacyTicketNumbers, StoreTicketNumberAllocator, TICKET_NUMBER_CLAIMED, TicketNumbersExhaustedError } from './ticket-numbers';

describe('ticket number format', () => {
  it('pads to six digits and grows past them', () => {
    expect(formatTicketNumber(42)).toBe('SS-000042');
    expect(formatTicketNumber(1234567n)).toBe('SS-1234567');
    expect(parseTicketNumber('SS-000042')).toBe(42n);
    expect(parseTicketNumber('SS-42')).toBeUndefined();
    expect(parseTicketNumber('XX-000042')).toBeUndefined();
  });

  it('names claim streams outside the prefixes the read models, reactors and reports read', () => {
    for (const stream of [claimStream('SS-000001'), TICKET_NUMBER_FLOOR_STREAM]) {
      expect(STREAM_PREFIXES.some((p) => stream.startsWith(p))).toBe(false);
    }
    expect(claimStream('SS-000042')).toBe('claim-SS-000042');
  });
});

/** A store as several replicas see it: `replica()` gives another connection to the same events. */
interface Fixture {
  readonly replica: () => EventStore;
  close(): Promise<void>;
}

const byNumber = (a: string, b: string): number => {
  const x = parseTicketNumber(a)!;
  const y = parseTicketNumber(b)!;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Counts `readStream` calls, to see how many probes a start takes. */
const countingReads = (store: EventStore): { store: EventStore; reads: () => number } => {
  let reads = 0;
  const counted: EventStore = {
    appendToStream: (s, e, x) => store.appendToStream(s, e, x),
    readStream: (s, o) => {
      reads += 1;
      return store.readStream(s, o);
    },
    readAll: (o) => store.readAll(o),
    subscribeToAll: (o) => store.subscribeToAll(o),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
  return { store: counted, reads: () => reads };
};

const claimsOf = async (store: EventStore): Promise<StoredEvent[]> => (await store.readAll({ maxCount: 100_000 })).filter((e) => e.streamId.startsWith('claim-SS-'));

const behaves = (name: string, make: () => Promise<Fixture>): void => {
  describe(`ticket numbers claimed in the ${name} store`, () => {
    let fixture: Fixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('claims 1, 2, 3 in order, one sealed event per claim stream, and finds each ticket by its number', async () => {
      const store = fixture.replica();
      const numbers = new StoreTicketNumberAllocator({ store, clock: () => new Date('2026-03-06T22:30:00Z') });
      expect(await numbers.numberFor('T-a', { correlationId: 'c-1', actorId: 'u-ada', actorRole: 'administrator' })).toBe('SS-000001');
      expect(await numbers.numberFor('T-b')).toBe('SS-000002');
      // Every call claims a new number: a caller asks once per ticket it opens.
      expect(await numbers.numberFor('T-a')).toBe('SS-000003');
      expect(await numbers.ticketIdOf('SS-000002')).toBe('T-b');
      expect(await numbers.ticketIdOf('SS-0000002')).toBe('T-b'); // the same number, more digits
      expect(await numbers.ticketIdOf('SS-000004')).toBeUndefined();
      expect(await numbers.ticketIdOf('nonsense')).toBeUndefined();

      const [claim, ...more] = await store.readStream(claimStream('SS-000001'));
      expect(more).toEqual([]);
      expect(claim).toMatchObject({
        type: TICKET_NUMBER_CLAIMED,
        data: { ticketNumber: 'SS-000001', ticketId: 'T-a' },
        metadata: { correlationId: 'c-1', actorId: 'u-ada', actorRole: 'administrator', recordedAt: '2026-03-06T22:30:00.000Z', schemaVersion: 1, previousHash: '' },
      });
      // The hash chain covers claims as it covers every other stream (audit verify walks them all).
      expect(verifyChain(await claimsOf(store))).toMatchObject({ ok: true, streams: 3, events: 3 });
      expect(numbers.claims).toBe(3);
      expect(numbers.conflicts).toBe(0);
    });

    it('two replicas claiming concurrently: every number once, no holes, each ticket found from either replica', async () => {
      const a = new StoreTicketNumberAllocator({ store: fixture.replica() });
      const b = new StoreTicketNumberAllocator({ store: fixture.replica() });
      const opens = 60;
      const claimed = await Promise.all(Array.from({ length: opens }, (_, i) => (i % 2 === 0 ? a : b).numberFor(`T-${i}`).then((n) => ({ n, ticketId: `T-${i}` }))));
      const numbers = claimed.map((c) => c.n).sort(byNumber);
      expect(new Set(numbers).size).toBe(opens);
      // Dense: a conflict means the other replica took that number, so none is skipped.
      expect(numbers).toEqual(Array.from({ length: opens }, (_, i) => formatTicketNumber(i + 1)));
      for (const { n, ticketId } of claimed) {
        expect(await a.ticketIdOf(n)).toBe(ticketId);
        expect(await b.ticketIdOf(n)).toBe(ticketId);
      }
      expect(a.claims + b.claims).toBe(opens);
      // Both started at 1, so the second to claim 1 at least conflicted once.
      expect(a.conflicts + b.conflicts).toBeGreaterThanOrEqual(1);
    });

    it('a replica started later finds the highest claim by galloping and bisecting, in a few reads', async () => {
      const first = new StoreTicketNumberAllocator({ store: fixture.replica() });
      for (let i = 0; i < 37; i++) await first.numberFor(`T-${i}`);
      const { store, reads } = countingReads(fixture.replica());
      const later = new StoreTicketNumberAllocator({ store });
      expect(await later.numberFor('T-later')).toBe('SS-000038');
      expect(later.conflicts).toBe(0);
      // The floor stream, probes 1, 2, 4, …, 64, then a bisection between 32 and 64: about 2·log2(37).
      expect(reads()).toBeLessThanOrEqual(14);
    });
  });
};

// Memory and a SQLite file (a connection per replica); on EventStoreDB, below, one server for the
// suite with each test's streams prefixed apart.
for (const [name, open] of [MEMORY_STORE, SQLITE_FILE]) {
  behaves(name, async () => {
    const shared = await open();
    return { replica: () => shared.connect(), close: () => shared.close() };
  });
}

describe('on the EventStoreDB test server', () => {
  let server: EsdbTestServerHandle;
  beforeAll(async () => {
    server = await startEsdbTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  let run = 0;
  behaves('EventStoreDB (two clients)', async () => {
    // One server for the suite: each test numbers its streams apart by a store that prefixes them.
    const prefix = `run${++run}-`;
    const clients: EventStore[] = [];
    return {
      replica: () => {
        const client = createEsdbEventStore(server.connectionString);
        clients.push(client);
        return prefixed(client, prefix);
      },
      close: async () => {
        for (const client of clients) await client.close();
      },
    };
  });
});

/** The store with every stream id prefixed, so that tests sharing one server do not see each other's claims. */
const prefixed = (store: EventStore, prefix: string): EventStore => {
  const strip = (e: StoredEvent): StoredEvent => ({ ...e, streamId: e.streamId.slice(prefix.length) });
  return {
    appendToStream: (s, e, x) => store.appendToStream(prefix + s, e, x),
    readStream: async (s, o) => (await store.readStream(prefix + s, o)).map(strip),
    readAll: async (o) => (await store.readAll(o)).filter((e) => e.streamId.startsWith(prefix)).map(strip),
    subscribeToAll: (o) => store.subscribeToAll(o),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
};

describe('the legacy local table', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-legacy-numbers-'));
    file = join(dir, 'events.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The table as earlier versions wrote it, with numbers 1..5 (5 given to an open that was refused). */
  const legacyTable = (db: Database.Database): void => {
    db.exec('CREATE TABLE IF NOT EXISTS ticket_numbers (number INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT NOT NULL UNIQUE)');
    const insert = db.prepare('INSERT INTO ticket_numbers (ticket_id) VALUES (?)');
    for (const id of ['T-old-1', 'T-old-2', 'T-old-3', 'T-old-4', 'T-refused']) insert.run(id);
  };

  it('new numbers start above it, on this replica and on one with an empty table; its numbers still find their tickets', async () => {
    const store = SqliteEventStore.open(file);
    try {
      legacyTable(store.db);
      const legacy = new LegacyTicketNumbers(store.db);
      expect(legacy.highest()).toBe(5n);
      const upgraded = new StoreTicketNumberAllocator({ store, legacy });
      expect(await upgraded.numberFor('T-new-1')).toBe('SS-000006');
      expect(await upgraded.ticketIdOf('SS-000003')).toBe('T-old-3');
      expect(await upgraded.ticketIdOf('SS-000006')).toBe('T-new-1');
      // Nothing is written to the table any more.
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM ticket_numbers').get()).toEqual({ n: 5 });

      // A replica whose local database has no such table (beside EventStoreDB, a new replica)
      // starts above the floor the first one published in the store.
      const empty = new Database(':memory:');
      const fresh = new StoreTicketNumberAllocator({ store, legacy: new LegacyTicketNumbers(empty) });
      expect(await fresh.numberFor('T-new-2')).toBe('SS-000007');
      empty.close();
      // Even with no claim above the floor yet, a replica without a table never repeats 1..5.
      const [floor] = await store.readStream(TICKET_NUMBER_FLOOR_STREAM);
      expect(floor?.data).toEqual({ floor: '5' });
    } finally {
      await store.close();
    }
  });

  it('reads a table without AUTOINCREMENT, and no table at all, as floors of their own', () => {
    const plain = new Database(':memory:');
    plain.exec('CREATE TABLE ticket_numbers (number INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE)');
    plain.prepare('INSERT INTO ticket_numbers (number, ticket_id) VALUES (?, ?)').run(12, 'T-12');
    const none = new Database(':memory:');
    try {
      expect(new LegacyTicketNumbers(plain).highest()).toBe(12n);
      expect(new LegacyTicketNumbers(plain).ticketIdOf(12n)).toBe('T-12');
      expect(new LegacyTicketNumbers(none).highest()).toBe(0n);
      expect(new LegacyTicketNumbers(none).ticketIdOf(1n)).toBeUndefined();
    } finally {
      plain.close();
      none.close();
    }
  });

  it('a replica with a lower table does not lower the published floor', async () => {
    const store = new InMemoryEventStore();
    const high = new Database(':memory:');
    legacyTable(high);
    const low = new Database(':memory:');
    low.exec('CREATE TABLE ticket_numbers (number INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT NOT NULL UNIQUE)');
    low.prepare('INSERT INTO ticket_numbers (ticket_id) VALUES (?)').run('T-x');
    try {
      await new StoreTicketNumberAllocator({ store, legacy: new LegacyTicketNumbers(high) }).numberFor('T-a');
      expect(await new StoreTicketNumberAllocator({ store, legacy: new LegacyTicketNumbers(low) }).numberFor('T-b')).toBe('SS-000007');
      expect((await store.readStream(TICKET_NUMBER_FLOOR_STREAM)).map((e) => e.data)).toEqual([{ floor: '5' }]);
    } finally {
      high.close();
      low.close();
    }
  });
});

describe('claims under trouble', () => {
  it('a hole below the highest claim (a claim whose append failed) costs a few conflicts, then a search jumps past it', async () => {
    const store = new InMemoryEventStore();
    const writer = new StoreTicketNumberAllocator({ store });
    for (let i = 1; i <= 40; i++) await writer.numberFor(`T-${i}`);
    // Another store holding the same claims but number 4: the one whose append never landed.
    const holed = new InMemoryEventStore();
    for (const e of await store.readAll({ maxCount: 1_000 })) {
      if (e.streamId === claimStream('SS-000004')) continue;
      await holed.appendToStream(e.streamId, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], 'no-stream');
    }
    const later = new StoreTicketNumberAllocator({ store: holed });
    // The start probes 1, 2, 4 (free) and settles on 3: 4 is free and taken.
    expect(await later.numberFor('T-a')).toBe('SS-000004');
    expect(await later.numberFor('T-b')).toBe('SS-000041');
    expect(later.conflicts).toBe(8);
  });

  it('gives up with a 503-class error after the configured attempts', async () => {
    const inner = new InMemoryEventStore();
    const alwaysTaken: EventStore = {
      appendToStream: async (streamId, _events, expected) => {
        throw new WrongExpectedRevisionError(streamId, expected, 0n);
      },
      readStream: (s, o) => inner.readStream(s, o),
      readAll: (o) => inner.readAll(o),
      subscribeToAll: (o) => inner.subscribeToAll(o),
      headPosition: () => inner.headPosition(),
      close: () => inner.close(),
    };
    const numbers = new StoreTicketNumberAllocator({ store: alwaysTaken, maxAttempts: 5 });
    await expect(numbers.numberFor('T-a')).rejects.toBeInstanceOf(TicketNumbersExhaustedError);
    expect(numbers.conflicts).toBe(5);
  });
});
