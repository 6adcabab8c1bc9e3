import type Database from 'better-sqlite3';
import { formatTicketNumber, parseTicketNumber, type TicketNumberAllocator } from '../application/ticket-number';
import { GroupCommit } from '../event-store/sqlite/group-commit';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ticket_numbers (
  number    INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id TEXT NOT NULL UNIQUE
);
`;

/**
 * {@link TicketNumberAllocator} on a SQLite table. `AUTOINCREMENT` never reuses a number, and the look-up-or-insert
 * runs in one immediate transaction, so concurrent opens in this or another process on the same
 * file each get their own number. Allocations join the connection's group commit: with the
 * event store on the same connection, the opens that arrive together get their numbers in one
 * commit (without an fsync of its own when the log is in the same file: see the constructor).
 */
export class SqliteTicketNumberAllocator implements TicketNumberAllocator {
  private readonly byTicket;
  private readonly byNumber;
  private readonly insert;
  private readonly writes: GroupCommit;

  /**
   * `sameFileAsLog`: the events are appended on this same SQLite connection, so an allocation
   * needs no fsync of its own (the append that uses the number fsyncs it). With the events
   * elsewhere (EventStoreDB), each allocation is made durable before the number is used.
   */
  constructor(
    db: Database.Database,
    private readonly options: { readonly sameFileAsLog?: boolean } = {},
  ) {
    db.exec(SCHEMA);
    this.byTicket = db.prepare<[string], { number: number }>('SELECT number FROM ticket_numbers WHERE ticket_id = ?');
    this.byNumber = db.prepare<[bigint], { ticket_id: string }>('SELECT ticket_id FROM ticket_numbers WHERE number = ?');
    this.insert = db.prepare<[string]>('INSERT INTO ticket_numbers (ticket_id) VALUES (?)');
    this.writes = GroupCommit.for(db);
  }

  async numberFor(ticketId: string): Promise<string> {
    // Looked up only inside the write: most ids are new, and a retried open finds its number there.
    const allocated = await this.writes.run(
      (): bigint => {
        // Under the write lock, so another process cannot allocate it in between.
        const existing = this.byTicket.get(ticketId);
        return existing ? BigInt(existing.number) : BigInt(this.insert.run(ticketId).lastInsertRowid);
      },
      // A number is only seen inside the TicketOpened appended next; in the same file, that
      // append's fsync covers the allocation too, and lost to a power cut before it, the number
      // was given to nothing that survived.
      { durable: this.options.sameFileAsLog !== true },
    );
    return formatTicketNumber(allocated);
  }

  async ticketIdOf(ticketNumber: string): Promise<string | undefined> {
    const n = parseTicketNumber(ticketNumber);
    return n === undefined ? undefined : this.byNumber.get(n)?.ticket_id;
  }
}

/** The same rules in memory (for `EVENT_STORE=memory` and tests). */
export class InMemoryTicketNumberAllocator implements TicketNumberAllocator {
  private readonly numbers = new Map<string, bigint>();
  private readonly tickets = new Map<bigint, string>();
  private last = 0n;

  async numberFor(ticketId: string): Promise<string> {
    let n = this.numbers.get(ticketId);
    if (n === undefined) {
      n = ++this.last;
      this.numbers.set(ticketId, n);
      this.tickets.set(n, ticketId);
    }
    return formatTicketNumber(n);
  }

  async ticketIdOf(ticketNumber: string): Promise<string | undefined> {
    const n = parseTicketNumber(ticketNumber);
    return n === undefined ? undefined : this.tickets.get(n);
  }
}
