import type { Category, Channel, Interval, License, RequestDefinition, Ticket, Tier } from '@support-sla/domain';
import { compareStrings, sortInSteps } from '../support/ordering.js';

// Column layout of the numbers kept per archived ticket. `NaN` stands for `null`/absent.
const OPENED = 0;
const RECEIVED = 1;
const CLASSIFIED = 2;
const ACKNOWLEDGED = 3;
const RESPONDED = 4;
const RESOLVED = 5;
const CLOSED = 6;
const OUTAGE_SINCE = 7;
const LAST_EVENT = 8;
const POLICY = 9;
const RECLASSIFICATIONS = 10;
const REOPENS = 11;
const USERS = 12;
// Added later: rows stored before it have 13 numbers and read it as null.
const OUTAGE_RESTORED = 13;
const NUMBERS = 14;

// Per-ticket codes of low-cardinality strings (interned in `names`).
const C_CHANNEL = 0;
const C_TIER = 1;
const C_LICENSE = 2;
const C_CATEGORY = 3;
const C_SUGGESTED = 4;
const C_DEFINED_AS = 5;
const C_QUEUE = 6;
const CODES = 7;
const NONE = 0xffff;

// Per-ticket strings with many distinct values.
const S_ID = 0;
const S_NUMBER = 1;
const S_USER = 2;
const S_EMAIL = 3;
const S_OUTAGE = 4;
const STRINGS = 5;

/**
 * The SLA alerts raised on a ticket are not kept: a closed ticket has no alert points, the
 * mailer reads an alert from its event, and only the domain's own fold of the stream decides on
 * them (a reopened ticket's are therefore absent from the read models).
 */
const NO_ALERTS: Ticket['slaAlerts'] = [];

const num = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/**
 * The free texts the archive keeps of a ticket linked to an outage, and of no other: the named
 * user's name (`null` when the ticket names none) and the request summary. The restoration
 * notice, sent when the outage ends, is written with them, also to tickets closed before then.
 */
export type LinkedTicketText = [name: string | null, summary: string];

/**
 * One archived ticket as a JSON tuple (the stored form of the archive, a third the size of the
 * ticket objects): ids and names, then the instants and counts (`null` when absent), then the
 * customer waits and reopen gaps as flat `[from, to, from, to, ...]` lists, and last, only for a
 * ticket linked to an outage, its {@link LinkedTicketText}. The row of a ticket linked to no
 * outage has no such element (its bytes are those of earlier versions), and neither do rows
 * stored by versions before it: they load with no name and the summary `'-'`.
 */
export type ArchivedTicketRow = [
  ticketId: string,
  ticketNumber: string,
  channel: string,
  tier: string,
  license: string,
  userId: string,
  email: string,
  category: string | null,
  suggestedCategory: string | null,
  definedAs: string | null,
  queue: string,
  outageId: string | null,
  numbers: (number | null)[],
  waits: number[],
  gaps: number[],
  linked?: LinkedTicketText,
];

/** The archive as it was when {@link TicketArchive.snapshot} was called. */
export interface ArchiveSnapshot {
  /** How many tickets it holds. */
  readonly size: number;
  /**
   * Its rows by ticket id (as {@link TicketArchive.rows} gave them at the snapshot), with `''`
   * pauses while the ids are sorted (after about every `step` element moves). Each call sorts anew.
   */
  rowsInSteps(step?: number): Generator<'' | ArchivedTicketRow, void, undefined>;
}

/**
 * Closed tickets, kept column-wise (numbers in one growing `Float64Array`, small codes in a
 * `Uint16Array`, a few strings per ticket) instead of as one object graph each: about a fifth of
 * the memory, so a read model's footprint follows the open work. A ticket comes back whole
 * (minus its free texts, which no read model shows) with {@link get}, or leaves with
 * {@link take} when it is reopened. A ticket linked to an outage also keeps its named user's
 * name and its request summary (the restoration notice's, {@link LinkedTicketText}), and is
 * found by its outage with {@link linkedTo}: a few tickets, so the others stay as compact.
 *
 * Slot order depends on the order tickets closed in; nothing observable does: callers iterate
 * only to aggregate (order-free) and serialization sorts by ticket id.
 *
 * A slot is written once and never changed: when a ticket leaves the archive (reopened) or is
 * archived again (an event after its closure, such as a notification recorded late), its old
 * slot is only marked with the number of that take. That is what makes {@link snapshot} cheap.
 * The columns of such slots were always left behind; they now keep their strings too (references
 * to the same strings the new slot holds).
 */
export class TicketArchive {
  private numbers = new Float64Array(NUMBERS * 1024);
  private codes = new Uint16Array(CODES * 1024);
  private readonly strings: (string | null)[] = [];
  /** Customer waits then reopen gaps, `[waits, from, to, ..., from, to, ...]`, only for tickets that have any. */
  private readonly intervals = new Map<number, Float64Array>();
  /** Name and summary by slot, only for tickets linked to an outage (and archived with them). */
  private readonly linkedTexts = new Map<number, LinkedTicketText>();
  /** The ids of the archived tickets linked to each outage (only outages that have some). */
  private readonly byOutage = new Map<string, Set<string>>();
  private readonly slots = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly nameCodes = new Map<string, number>();
  private used = 0;
  /** Per slot, the number of the take that emptied it (1, 2, …), or 0 while it holds its ticket. */
  private takenBy = new Float64Array(1024);
  /** Takes so far. */
  private takes = 0;

  get size(): number {
    return this.slots.size;
  }

  has(ticketId: string): boolean {
    return this.slots.has(ticketId);
  }

  /**
   * Archives a closed ticket (replacing an earlier archived copy of the same ticket). The free
   * texts are dropped, but for a ticket linked to an outage its name and summary are kept.
   */
  add(ticket: Ticket): void {
    this.put(ticket, ticket.outageId === null ? undefined : [ticket.namedUser.name ?? null, ticket.request.summary]);
  }

  private put(ticket: Ticket, linked: LinkedTicketText | undefined): void {
    this.take(ticket.ticketId);
    const slot = this.used++;
    if ((slot + 1) * NUMBERS > this.numbers.length) this.grow();
    const n = this.numbers;
    const b = slot * NUMBERS;
    n[b + OPENED] = ticket.openedAtMs;
    n[b + RECEIVED] = ticket.receivedAtMs;
    n[b + CLASSIFIED] = num(ticket.classifiedAtMs);
    n[b + ACKNOWLEDGED] = num(ticket.acknowledgedAtMs);
    n[b + RESPONDED] = num(ticket.respondedAtMs);
    n[b + RESOLVED] = num(ticket.resolvedAtMs);
    n[b + CLOSED] = num(ticket.closedAtMs);
    n[b + OUTAGE_SINCE] = num(ticket.outageSinceMs);
    n[b + LAST_EVENT] = ticket.lastEventAtMs;
    n[b + POLICY] = ticket.policyVersion;
    n[b + RECLASSIFICATIONS] = ticket.reclassifications;
    n[b + REOPENS] = ticket.reopenCount;
    n[b + USERS] = num(ticket.request.usersAffected);
    n[b + OUTAGE_RESTORED] = num(ticket.outageRestoredAtMs);
    const c = this.codes;
    const cb = slot * CODES;
    c[cb + C_CHANNEL] = this.code(ticket.channel);
    c[cb + C_TIER] = this.code(ticket.tier);
    c[cb + C_LICENSE] = this.code(ticket.namedUser.license);
    c[cb + C_CATEGORY] = this.code(ticket.category);
    c[cb + C_SUGGESTED] = this.code(ticket.suggestedCategory);
    c[cb + C_DEFINED_AS] = this.code(ticket.response?.definedAs ?? null);
    c[cb + C_QUEUE] = this.code(ticket.queue);
    this.strings.push(ticket.ticketId, ticket.ticketNumber, ticket.namedUser.id, ticket.namedUser.email, ticket.outageId);
    if (ticket.customerWaits.length > 0 || ticket.reopenGaps.length > 0) {
      const all = [...ticket.customerWaits, ...ticket.reopenGaps];
      const packed = new Float64Array(1 + 2 * all.length);
      packed[0] = ticket.customerWaits.length;
      all.forEach((iv, i) => {
        packed[1 + 2 * i] = iv.fromMs;
        packed[2 + 2 * i] = iv.toMs;
      });
      this.intervals.set(slot, packed);
    }
    if (linked !== undefined) this.linkedTexts.set(slot, linked);
    if (ticket.outageId !== null) {
      const ids = this.byOutage.get(ticket.outageId);
      if (ids === undefined) this.byOutage.set(ticket.outageId, new Set([ticket.ticketId]));
      else ids.add(ticket.ticketId);
    }
    this.slots.set(ticket.ticketId, slot);
  }

  /** The archived ticket, rebuilt. */
  get(ticketId: string): Ticket | undefined {
    const slot = this.slots.get(ticketId);
    return slot === undefined ? undefined : this.revive(slot);
  }

  /** Removes and returns the archived ticket (when it is reopened). */
  take(ticketId: string): Ticket | undefined {
    const slot = this.slots.get(ticketId);
    if (slot === undefined) return undefined;
    const ticket = this.revive(slot);
    this.slots.delete(ticketId);
    if (ticket.outageId !== null) {
      const ids = this.byOutage.get(ticket.outageId);
      ids?.delete(ticketId);
      if (ids?.size === 0) this.byOutage.delete(ticket.outageId);
    }
    // The slot itself is left as it is, for snapshots taken before.
    this.takes += 1;
    this.takenBy[slot] = this.takes;
    return ticket;
  }

  /**
   * The archive as it is now, for writing it out a piece at a time while the archive goes on
   * changing: {@link ArchiveSnapshot.rowsInSteps} gives the rows of {@link rows} as of this call.
   * Taking it costs nothing per archived ticket: it notes how many slots and takes there were.
   */
  snapshot(): ArchiveSnapshot {
    const used = this.used;
    const takes = this.takes;
    return {
      size: this.slots.size,
      rowsInSteps: (step = 4096) => this.rowsInSteps(used, takes, step),
    };
  }

  private *rowsInSteps(used: number, takes: number, step: number): Generator<'' | ArchivedTicketRow, void, undefined> {
    // A slot held its ticket at the snapshot if it was written before it and not emptied by one
    // of the takes before it. (`takenBy` may be replaced by a larger copy meanwhile: read it here.)
    const live = function* (archive: TicketArchive): Generator<number> {
      for (let slot = 0; slot < used; slot++) {
        const takenBy = archive.takenBy[slot] as number;
        if (takenBy === 0 || takenBy > takes) yield slot;
      }
    };
    const s = this.strings;
    const sorted = yield* sortInSteps(live(this), (a, b) => compareStrings(s[a * STRINGS + S_ID] as string, s[b * STRINGS + S_ID] as string), step);
    for (const slot of sorted) yield this.rowAt(slot);
  }

  /**
   * The archived tickets linked to the outage, rebuilt (with the name and summary kept for them),
   * by ticket id. Costs only the tickets linked to it.
   */
  linkedTo(outageId: string): Ticket[] {
    const ids = this.byOutage.get(outageId);
    if (ids === undefined) return [];
    return [...ids].sort(compareStrings).map((id) => this.revive(this.slots.get(id) as number));
  }

  /** Receipt time of an archived ticket without rebuilding it (for period filters). */
  receivedAtMs(ticketId: string): number | undefined {
    const slot = this.slots.get(ticketId);
    return slot === undefined ? undefined : (this.numbers[slot * NUMBERS + RECEIVED] as number);
  }

  /** Calls `fn` with every archived ticket received in `[fromMs, toMs)`, rebuilt. Order unspecified. */
  forEachReceivedIn(fromMs: number, toMs: number, fn: (ticket: Ticket) => void): void {
    for (const slot of this.slots.values()) {
      const received = this.numbers[slot * NUMBERS + RECEIVED] as number;
      if (received >= fromMs && received < toMs) fn(this.revive(slot));
    }
  }

  /** Every archived ticket, rebuilt, by ticket id. */
  sortedTickets(): Ticket[] {
    return [...this.slots.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((id) => this.revive(this.slots.get(id) as number));
  }

  /** The stored form: one row per archived ticket, by ticket id. */
  rows(): ArchivedTicketRow[] {
    return [...this.slots].sort((a, b) => compareStrings(a[0], b[0])).map(([, slot]) => this.rowAt(slot));
  }

  // Read from the columns (what `revive` reads) without rebuilding the ticket: serializing a
  // checkpoint calls this for every archived ticket.
  private rowAt(slot: number): ArchivedTicketRow {
    const n = this.numbers;
    const b = slot * NUMBERS;
    const c = this.codes;
    const cb = slot * CODES;
    const s = this.strings;
    const sb = slot * STRINGS;
    const numbers: (number | null)[] = [];
    for (let i = 0; i < NUMBERS; i++) {
      const v = n[b + i] as number;
      numbers.push(Number.isNaN(v) ? null : v);
    }
    const waits: number[] = [];
    const gaps: number[] = [];
    const packed = this.intervals.get(slot);
    if (packed !== undefined) {
      const nWaits = packed[0] as number;
      for (let i = 0; 2 * i + 2 < packed.length; i++) (i < nWaits ? waits : gaps).push(packed[1 + 2 * i] as number, packed[2 + 2 * i] as number);
    }
    const row: ArchivedTicketRow = [
      s[sb + S_ID] as string,
      s[sb + S_NUMBER] as string,
      this.name(c[cb + C_CHANNEL] as number) as string,
      this.name(c[cb + C_TIER] as number) as string,
      this.name(c[cb + C_LICENSE] as number) as string,
      s[sb + S_USER] as string,
      s[sb + S_EMAIL] as string,
      this.name(c[cb + C_CATEGORY] as number),
      this.name(c[cb + C_SUGGESTED] as number),
      this.name(c[cb + C_DEFINED_AS] as number),
      this.name(c[cb + C_QUEUE] as number) ?? '',
      s[sb + S_OUTAGE] ?? null,
      numbers,
      waits,
      gaps,
    ];
    // Only a linked ticket's row has the element: every other row keeps the bytes it had.
    const linked = this.linkedTexts.get(slot);
    if (linked !== undefined) row.push([linked[0], linked[1]]);
    return row;
  }

  /** Rebuilds an archive from {@link rows}. */
  static fromRows(rows: readonly ArchivedTicketRow[]): TicketArchive {
    const archive = new TicketArchive();
    for (const [ticketId, ticketNumber, channel, tier, license, userId, email, category, suggested, definedAs, queue, outageId, numbers, waits, gaps, linked] of rows) {
      const n = (i: number): number | null => numbers[i] ?? null;
      const pairs = (flat: readonly number[]): Interval[] => {
        const out: Interval[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) out.push({ fromMs: flat[i] as number, toMs: flat[i + 1] as number });
        return out;
      };
      const users = n(USERS);
      // A row stored before linked tickets kept their texts has none: no name, summary '-'.
      const name = linked?.[0] ?? null;
      const summary = linked?.[1] ?? '-';
      const ticket: Ticket = {
        status: 'closed',
        ticketId,
        ticketNumber,
        channel: channel as Channel,
        namedUser: name === null ? { id: userId, email, license: license as License } : { id: userId, email, license: license as License, name },
        tier: tier as Tier,
        request: users === null ? { summary, description: '-' } : { summary, description: '-', usersAffected: users },
        suggestedCategory: suggested as Category | null,
        policyVersion: n(POLICY) ?? 0,
        openedAtMs: n(OPENED) ?? 0,
        receivedAtMs: n(RECEIVED) ?? 0,
        category: category as Category | null,
        classifiedAtMs: n(CLASSIFIED),
        reclassifications: n(RECLASSIFICATIONS) ?? 0,
        queue,
        acknowledgedAtMs: n(ACKNOWLEDGED),
        respondedAtMs: n(RESPONDED),
        response: definedAs === null ? null : { definedAs: definedAs as RequestDefinition, actionPlan: null },
        awaitingCustomerSinceMs: null,
        customerWaits: pairs(waits),
        resolvedAtMs: n(RESOLVED),
        resolution: null,
        reopenGaps: pairs(gaps),
        closedAtMs: n(CLOSED),
        resolutionDetails: null,
        reopenCount: n(REOPENS) ?? 0,
        outageId,
        outageSinceMs: n(OUTAGE_SINCE),
        outageRestoredAtMs: n(OUTAGE_RESTORED),
        slaAlerts: NO_ALERTS,
        lastEventAtMs: n(LAST_EVENT) ?? 0,
      };
      // The texts only for a linked ticket (a row written by hand with them and no outage drops them).
      archive.put(ticket, outageId === null || linked === undefined ? undefined : [name, summary]);
    }
    return archive;
  }

  private grow(): void {
    const numbers = new Float64Array(this.numbers.length * 2);
    numbers.set(this.numbers);
    this.numbers = numbers;
    const codes = new Uint16Array(this.codes.length * 2);
    codes.set(this.codes);
    this.codes = codes;
    const takenBy = new Float64Array(this.takenBy.length * 2);
    takenBy.set(this.takenBy);
    this.takenBy = takenBy;
  }

  private code(name: string | null): number {
    if (name === null) return NONE;
    let code = this.nameCodes.get(name);
    if (code === undefined) {
      code = this.names.length;
      if (code >= NONE) throw new RangeError('too many distinct names in the ticket archive');
      this.names.push(name);
      this.nameCodes.set(name, code);
    }
    return code;
  }

  private name(code: number): string | null {
    return code === NONE ? null : (this.names[code] ?? null);
  }

  private revive(slot: number): Ticket {
    const n = this.numbers;
    const b = slot * NUMBERS;
    const c = this.codes;
    const cb = slot * CODES;
    const s = this.strings;
    const sb = slot * STRINGS;
    const users = orNull(n[b + USERS] as number);
    const definedAs = this.name(c[cb + C_DEFINED_AS] as number) as RequestDefinition | null;
    const linked = this.linkedTexts.get(slot);
    const name = linked?.[0] ?? null;
    const summary = linked?.[1] ?? '-';
    const namedUser = { id: s[sb + S_USER] as string, email: s[sb + S_EMAIL] as string, license: this.name(c[cb + C_LICENSE] as number) as License };
    const packed = this.intervals.get(slot);
    const waits: Interval[] = [];
    const gaps: Interval[] = [];
    if (packed !== undefined) {
      const nWaits = packed[0] as number;
      for (let i = 0; 2 * i + 2 < packed.length; i++) {
        const iv = { fromMs: packed[1 + 2 * i] as number, toMs: packed[2 + 2 * i] as number };
        (i < nWaits ? waits : gaps).push(iv);
      }
    }
    return {
      status: 'closed',
      ticketId: s[sb + S_ID] as string,
      ticketNumber: s[sb + S_NUMBER] as string,
      channel: this.name(c[cb + C_CHANNEL] as number) as Channel,
      namedUser: name === null ? namedUser : { ...namedUser, name },
      tier: this.name(c[cb + C_TIER] as number) as Tier,
      request: users === null ? { summary, description: '-' } : { summary, description: '-', usersAffected: users },
      suggestedCategory: this.name(c[cb + C_SUGGESTED] as number) as Category | null,
      policyVersion: n[b + POLICY] as number,
      openedAtMs: n[b + OPENED] as number,
      receivedAtMs: n[b + RECEIVED] as number,
      category: this.name(c[cb + C_CATEGORY] as number) as Category | null,
      classifiedAtMs: orNull(n[b + CLASSIFIED] as number),
      reclassifications: n[b + RECLASSIFICATIONS] as number,
      queue: this.name(c[cb + C_QUEUE] as number) ?? '',
      acknowledgedAtMs: orNull(n[b + ACKNOWLEDGED] as number),
      respondedAtMs: orNull(n[b + RESPONDED] as number),
      response: definedAs === null ? null : { definedAs, actionPlan: null },
      awaitingCustomerSinceMs: null,
      customerWaits: waits,
      resolvedAtMs: orNull(n[b + RESOLVED] as number),
      resolution: null,
      reopenGaps: gaps,
      closedAtMs: orNull(n[b + CLOSED] as number),
      resolutionDetails: null,
      reopenCount: n[b + REOPENS] as number,
      outageId: s[sb + S_OUTAGE] ?? null,
      outageSinceMs: orNull(n[b + OUTAGE_SINCE] as number),
      outageRestoredAtMs: orNull(n[b + OUTAGE_RESTORED] as number),
      slaAlerts: NO_ALERTS,
      lastEventAtMs: n[b + LAST_EVENT] as number,
    };
  }
}
