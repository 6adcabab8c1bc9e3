import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { formatTicketNumber, parseTicketNumber, type ClaimTrace, type TicketNumberAllocator } from '../application/ticket-number';
import { EventStoreUnavailableError, WrongExpectedRevisionError, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { claimStream, TICKET_NUMBER_FLOOR_STREAM } from '../event-store/streams';
import { sealSystemEvent } from '../hash-chain';

/** The one event of a claim stream (`claim-SS-000042`): this number is this ticket's. */
export const TICKET_NUMBER_CLAIMED = 'TicketNumberClaimed';
/** An event of the floor stream: numbers up to `floor` were given out before claims existed. */
export const TICKET_NUMBER_FLOOR_RAISED = 'TicketNumberFloorRaised';

/** Who claims are recorded as made by when the caller does not say. */
const SYSTEM_ACTOR = { id: 'system:ticket-numbers', role: 'system' } as const;

/** Attempts at claiming a number before giving up (each failed attempt is a number another replica took). */
export const DEFAULT_MAX_CLAIM_ATTEMPTS = 1_000;

/** Conflicts in a row within one claim after which the highest claimed number is searched again. */
const RESEARCH_AFTER = 8;

/** Every attempt at a number was taken by another replica: the store is too busy; retry later (HTTP 503). */
export class TicketNumbersExhaustedError extends EventStoreUnavailableError {
  constructor(readonly attempts: number) {
    super(`no free ticket number after ${attempts} attempts (each was taken by another replica); retry later`);
  }
}

/**
 * Numbers the service gave out before they were claimed in the store: the local SQLite table
 * `ticket_numbers` of earlier versions. Read only (nothing writes it any more): its highest
 * number is the floor new claims start above, and old tickets are still found by their number.
 * With `EVENT_STORE=sqlite` the table is in the event store's own file, so every replica on it
 * reads the same one; beside EventStoreDB it is in each replica's local file.
 */
export class LegacyTicketNumbers {
  private readonly statements:
    | { readonly byNumber: Database.Statement<[bigint], { ticket_id: string }>; readonly highest: () => bigint }
    | undefined;

  constructor(db: Database.Database) {
    const table = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ticket_numbers'").get();
    if (table === undefined) return;
    const max = db.prepare<[], { n: number | bigint | null }>('SELECT MAX(number) AS n FROM ticket_numbers').safeIntegers(true);
    // AUTOINCREMENT remembers the highest number ever handed out, even if its row were gone.
    const hasSequence = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get() !== undefined;
    const sequence = hasSequence ? db.prepare<[], { seq: number | bigint }>("SELECT seq FROM sqlite_sequence WHERE name = 'ticket_numbers'").safeIntegers(true) : undefined;
    this.statements = {
      byNumber: db.prepare<[bigint], { ticket_id: string }>('SELECT ticket_id FROM ticket_numbers WHERE number = ?'),
      highest: () => {
        const a = BigInt(max.get()?.n ?? 0);
        const b = BigInt(sequence?.get()?.seq ?? 0);
        return a > b ? a : b;
      },
    };
  }

  /** The highest number the table ever handed out (0 when there is no table). */
  highest(): bigint {
    return this.statements?.highest() ?? 0n;
  }

  ticketIdOf(n: bigint): string | undefined {
    return this.statements?.byNumber.get(n)?.ticket_id;
  }
}

export interface StoreTicketNumberOptions {
  readonly store: Pick<EventStore, 'appendToStream' | 'readStream'>;
  /** The numbers of earlier versions (floor and look-up), if there is a local table. */
  readonly legacy?: LegacyTicketNumbers;
  /** `recordedAt` of claim events (default: the system clock). */
  readonly clock?: () => Date;
  /** Attempts per claim before {@link TicketNumbersExhaustedError} (default {@link DEFAULT_MAX_CLAIM_ATTEMPTS}). */
  readonly maxAttempts?: number;
  /** Called for every number found taken by another replica (the claim then tries the next one). */
  readonly onConflict?: (ticketNumber: string) => void;
}

/**
 * {@link TicketNumberAllocator} on the event store, through the port only, so one implementation
 * serves every store (memory, SQLite, EventStoreDB) and every replica on it.
 *
 * A number is taken by appending one `TicketNumberClaimed { ticketNumber, ticketId }` event to its
 * own stream (`claim-SS-000042`) expecting no stream: of two replicas claiming one number, one
 * append succeeds and the other sees a wrong expected revision and claims the next number. The
 * next candidate is kept in memory and taken synchronously, so concurrent opens in one process
 * never conflict with each other; only opens on different replicas do. At the first claim the
 * process finds the highest claimed number by galloping (probing floor+1, +2, +4, … by reading
 * claim streams) and bisecting, above the floor: the highest number of the legacy local table,
 * published in the store (`claim-floor`) so that replicas with an empty table start above it too.
 *
 * Claim events carry the same metadata and hash chain as every other event, so `audit verify`
 * and the seals cover them; their streams are outside `STREAM_PREFIXES`, so no read model, e-mail
 * reactor or report reads them.
 */
export class StoreTicketNumberAllocator implements TicketNumberAllocator {
  private next: bigint | undefined;
  private starting: Promise<void> | undefined;
  private claimed = 0;
  private conflicted = 0;
  private readonly maxAttempts: number;
  private readonly clock: () => Date;

  constructor(private readonly options: StoreTicketNumberOptions) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_CLAIM_ATTEMPTS;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Numbers this process claimed. */
  get claims(): number {
    return this.claimed;
  }

  /** Numbers this process found already claimed by another replica, and retried past. */
  get conflicts(): number {
    return this.conflicted;
  }

  async numberFor(ticketId: string, trace: ClaimTrace = {}): Promise<string> {
    await this.start();
    let inARow = 0;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      // Taken before the first await: concurrent claims in this process get distinct candidates.
      const n = this.next!;
      this.next = n + 1n;
      const ticketNumber = formatTicketNumber(n);
      try {
        await this.append(claimStream(ticketNumber), TICKET_NUMBER_CLAIMED, { ticketNumber, ticketId }, undefined, trace);
        this.claimed += 1;
        return ticketNumber;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.conflicted += 1;
        this.options.onConflict?.(ticketNumber);
        // Far behind (a hole left by a claim that failed mid-way, or a long absence): search again.
        if (++inARow % RESEARCH_AFTER === 0) {
          const highest = await this.highestClaimed(n);
          if (this.next <= highest) this.next = highest + 1n;
        }
      }
    }
    throw new TicketNumbersExhaustedError(this.maxAttempts);
  }

  async ticketIdOf(ticketNumber: string): Promise<string | undefined> {
    const n = parseTicketNumber(ticketNumber);
    if (n === undefined) return undefined;
    const [claim] = await this.options.store.readStream(claimStream(formatTicketNumber(n)), { maxCount: 1 });
    const claimedBy = claim === undefined ? undefined : (claim.data as { ticketId?: unknown } | null)?.ticketId;
    if (typeof claimedBy === 'string') return claimedBy;
    return this.options.legacy?.ticketIdOf(n);
  }

  /**
   * The first claim's preparation, done ahead: the floor published, then the highest number
   * claimed above it found. The service starts it at start-up, so that a replica holding an
   * earlier version's table publishes its floor before any replica claims; should it fail (the
   * store away), the first open tries again.
   */
  prepare(): Promise<void> {
    return this.start();
  }

  /** The first claim's preparation: the floor, then the highest number claimed above it. */
  private start(): Promise<void> {
    if (this.next !== undefined) return Promise.resolve();
    this.starting ??= (async () => {
      const floor = await this.publishFloor(this.options.legacy?.highest() ?? 0n);
      const highest = await this.highestClaimed(floor);
      this.next ??= highest + 1n;
    })().catch((error: unknown) => {
      this.starting = undefined; // the next open tries again
      throw error;
    });
    return this.starting;
  }

  /**
   * The floor every replica agrees on: the highest of the floors published in the store and
   * this replica's legacy table, published when this one is higher.
   */
  private async publishFloor(local: bigint): Promise<bigint> {
    for (let attempt = 1; ; attempt++) {
      const [last] = await this.options.store.readStream(TICKET_NUMBER_FLOOR_STREAM, { direction: 'backwards', maxCount: 1 });
      const stored = floorOf(last);
      if (local <= stored) return stored;
      try {
        await this.append(TICKET_NUMBER_FLOOR_STREAM, TICKET_NUMBER_FLOOR_RAISED, { floor: local.toString() }, last, {});
        return local;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= 10) throw error;
      }
    }
  }

  /**
   * The highest claimed number at or above `from` (`from` itself counts as taken), assuming the
   * claimed numbers above it run without holes: gallop (from+1, +2, +4, …) to the first free
   * probe, then bisect between the last taken and the first free. A hole only makes the answer
   * low, which the claim's conflicts correct.
   */
  private async highestClaimed(from: bigint): Promise<bigint> {
    let taken = from;
    let free: bigint;
    for (let step = 1n; ; step *= 2n) {
      const probe = from + step;
      if (await this.isClaimed(probe)) taken = probe;
      else {
        free = probe;
        break;
      }
    }
    while (free - taken > 1n) {
      const mid = (taken + free) / 2n;
      if (await this.isClaimed(mid)) taken = mid;
      else free = mid;
    }
    return taken;
  }

  private async isClaimed(n: bigint): Promise<boolean> {
    return (await this.options.store.readStream(claimStream(formatTicketNumber(n)), { maxCount: 1 })).length > 0;
  }

  /** Appends after `last` (undefined: a new stream, as a claim always is), sealed into the stream's hash chain. */
  private async append(streamId: string, type: string, data: Record<string, string>, last: StoredEvent | undefined, trace: ClaimTrace): Promise<void> {
    const recordedAt = this.clock().toISOString();
    const correlationId = trace.correlationId ?? randomUUID();
    const { event, expected } = sealSystemEvent(streamId, last === undefined ? undefined : { revision: last.revision, hash: last.metadata.hash }, {
      type,
      data,
      actor: { id: trace.actorId ?? SYSTEM_ACTOR.id, role: trace.actorRole ?? SYSTEM_ACTOR.role },
      correlationId,
      causationId: trace.causationId ?? correlationId,
      occurredAt: trace.occurredAt ?? recordedAt,
      recordedAt,
      ...(trace.idempotencyKey === undefined ? {} : { extra: { idempotencyKey: trace.idempotencyKey } }),
    });
    // The claim is followed by the ticket's own append, whose sync covers it on a SQLite file.
    await this.options.store.appendToStream(streamId, [event], expected, { syncWithNextAppend: true });
  }
}

/** The floor a floor-stream event records (0 when there is none or it does not read). */
const floorOf = (event: StoredEvent | undefined): bigint => {
  const floor = (event?.data as { floor?: unknown } | null | undefined)?.floor;
  return typeof floor === 'string' && /^\d{1,18}$/.test(floor) ? BigInt(floor) : 0n;
};
