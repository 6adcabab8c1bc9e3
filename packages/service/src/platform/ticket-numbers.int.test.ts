import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatTicketNumber, parseTicketNumber, type TicketNumberAllocator } from '../application/ticket-number';
import { InMemoryTicketNumberAllocator, SqliteTicketNumberAllocator } from './ticket-numbers';

describe('ticket number format', () => {
  it('pads to six digits and grows past them', () => {
    expect(formatTicketNumber(42)).toBe('SS-000042');
    expect(formatTicketNumber(1234567n)).toBe('SS-1234567');
    expect(parseTicketNumber('SS-000042')).toBe(42n);
    expect(parseTicketNumber('SS-42')).toBeUndefined();
    expect(parseTicketNumber('XX-000042')).toBeUndefined();
  });
});

const behaves = (name: string, make: () => { allocator: TicketNumberAllocator; another?: () => TicketNumberAllocator; close(): void }): void => {
  describe(`${name} ticket numbers`, () => {
    let subject: ReturnType<typeof make>;
    beforeEach(() => {
      subject = make();
    });
    afterEach(() => subject.close());

    it('gives one number per ticket, increasing in allocation order', async () => {
      const { allocator } = subject;
      expect(await allocator.numberFor('t-a')).toBe('SS-000001');
      expect(await allocator.numberFor('t-b')).toBe('SS-000002');
      expect(await allocator.numberFor('t-a')).toBe('SS-000001');
      expect(await allocator.ticketIdOf('SS-000002')).toBe('t-b');
      expect(await allocator.ticketIdOf('SS-000003')).toBeUndefined();
      expect(await allocator.ticketIdOf('nonsense')).toBeUndefined();
    });

    it('stays unique under 200 concurrent opens (from two connections where the store allows)', async () => {
      const allocators = [subject.allocator, subject.another?.() ?? subject.allocator];
      const numbers = await Promise.all(Array.from({ length: 200 }, (_, i) => allocators[i % 2]!.numberFor(`ticket-${i}`)));
      expect(new Set(numbers).size).toBe(200);
      const values = numbers.map((n) => parseTicketNumber(n)!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(values[0]).toBe(1n);
      expect(values[values.length - 1]).toBe(200n);
    });
  });
};

behaves('in-memory', () => ({ allocator: new InMemoryTicketNumberAllocator(), close: () => undefined }));

behaves('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-numbers-'));
  const file = join(dir, 'numbers.sqlite');
  const connections: Database.Database[] = [];
  const connect = (): SqliteTicketNumberAllocator => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    connections.push(db);
    return new SqliteTicketNumberAllocator(db);
  };
  return {
    allocator: connect(),
    another: connect,
    close: () => {
      for (const db of connections) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
