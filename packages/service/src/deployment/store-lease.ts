import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type GlobalPosition,
  type StoredEvent,
} from '../event-store/event-store.port';
import { NOTIFICATIONS_LEASE_STREAM } from '../event-store/streams';
import { sealSystemEvent } from '../hash-chain';

// The stream of the lease on the e-mail sender and the SLA alert watcher (named with the other
// streams): none of the read models' prefixes, so the read models and the mailer pass over it.
export { NOTIFICATIONS_LEASE_STREAM };

export const LEASE_ACQUIRED = 'LeaseAcquired';
export const LEASE_RENEWED = 'LeaseRenewed';
export const LEASE_RELEASED = 'LeaseReleased';
const LEASE_TYPES: readonly string[] = [LEASE_ACQUIRED, LEASE_RENEWED, LEASE_RELEASED];

/** Who the lease events are recorded as made by (metadata, like the sealer's `system:sealer`). */
export const LEASE_ACTOR = { id: 'system:lease', role: 'system' } as const;

/** The data of every lease event: who holds it, and until when (ISO instant; for a release, when it was let go). */
export interface LeaseEventData {
  readonly holder: string;
  readonly expiresAt: string;
}

/**
 * A holder id that is unique per process and per start: `host:pid:random`. Two processes never
 * share one, nor does a process restarted with the same pid.
 */
export const leaseHolderId = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** The lease as the last event of its stream says (undefined: never taken). */
export interface LeaseView {
  readonly holder: string;
  readonly expiresAtMs: number;
  readonly released: boolean;
  readonly revision: bigint;
}

/** What an acquisition gave. */
export type LeaseAttempt =
  | {
      readonly acquired: true;
      readonly expiresAtMs: number;
      /** Position of the acquisition in the log: everything before it was in the log when this process took the lease. */
      readonly position: GlobalPosition;
      /** The lease before: undefined (never taken), released, expired, or this process's own. */
      readonly previous: LeaseView | undefined;
    }
  | {
      readonly acquired: false;
      /** The current holder (another process), until when by its own word. */
      readonly current: LeaseView;
    };

export interface StoreLeaseOptions {
  readonly store: Pick<EventStore, 'readStream' | 'appendToStream'>;
  /** Default {@link NOTIFICATIONS_LEASE_STREAM}. */
  readonly stream?: string;
  /** Default {@link leaseHolderId}. */
  readonly holder?: string;
  /** How long an acquisition or renewal holds, from this process's clock when it was made. */
  readonly ttlMs: number;
  /** Wall clock in ms (default `Date.now`). Never a test's scenario clock: others compare against it. */
  readonly clock?: () => number;
}

/** A lease event read back that is not one: the stream holds something else. */
export class LeaseStreamError extends Error {
  override readonly name = 'LeaseStreamError';
}

/**
 * A lease kept in the event store, the same on every store (SQLite, memory, EventStoreDB): one
 * stream whose last event says who holds the lease and until when. Taking it appends
 * `LeaseAcquired` with the revision just read as the expected one, so of several processes that
 * read the same free lease exactly one append succeeds (the others get
 * {@link WrongExpectedRevisionError}: someone else won). The lease is free when its stream is
 * empty, when the last event is `LeaseReleased`, or when the holder's `expiresAt` has passed by
 * the clock of the process that looks. The holder renews it (`LeaseRenewed`) with the revision
 * of its own last event, so a renewal after someone else took the lease fails instead of
 * overwriting it.
 *
 * This class makes single attempts and never waits; {@link LeaseKeeper} schedules them.
 * Events carry the service's metadata and hash chain (as the `seals` stream), so `audit verify`
 * checks this stream like any other.
 */
export class StoreLease {
  readonly stream: string;
  readonly holder: string;
  private readonly clock: () => number;
  /** This holder's last event in the stream while it believes it holds the lease. */
  private own: { readonly revision: bigint; readonly hash: string; readonly expiresAtMs: number } | undefined;
  private lastSeen: LeaseView | undefined;

  constructor(private readonly options: StoreLeaseOptions) {
    this.stream = options.stream ?? NOTIFICATIONS_LEASE_STREAM;
    this.holder = options.holder ?? leaseHolderId();
    this.clock = options.clock ?? Date.now;
  }

  /** Until when this process holds the lease by its last successful append (ms), or undefined. */
  get expiresAtMs(): number | undefined {
    return this.own?.expiresAtMs;
  }

  /** The lease as last read or written by this process (undefined before the first look, or when never taken). */
  get seen(): LeaseView | undefined {
    return this.lastSeen;
  }

  /** Reads the lease as its stream's last event says. */
  async read(): Promise<{ readonly view: LeaseView | undefined; readonly last: StoredEvent | undefined }> {
    const [last] = await this.options.store.readStream(this.stream, { direction: 'backwards', maxCount: 1 });
    const view = last === undefined ? undefined : viewOf(last);
    this.lastSeen = view;
    return { view, last };
  }

  /**
   * Takes the lease if it is free, expired by this process's clock, or already this process's.
   * Resolves `{ acquired: false }` when another process holds it or won the race; rejects when
   * the store cannot be reached (`EventStoreUnavailableError`) or the stream is not a lease.
   */
  async tryAcquire(): Promise<LeaseAttempt> {
    const { view, last } = await this.read();
    const now = this.clock();
    if (view !== undefined && !view.released && view.holder !== this.holder && view.expiresAtMs >= now) {
      this.own = undefined;
      return { acquired: false, current: view };
    }
    try {
      const { position } = await this.append(LEASE_ACQUIRED, now, last);
      return { acquired: true, expiresAtMs: this.own!.expiresAtMs, position, previous: view };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      this.own = undefined;
      // Someone appended first: whoever it is holds the lease now.
      const { view: now2 } = await this.read().catch(() => ({ view: undefined }));
      return { acquired: false, current: now2 ?? { holder: 'unknown', expiresAtMs: now + this.options.ttlMs, released: false, revision: -1n } };
    }
  }

  /**
   * Extends the lease by the ttl from now. Resolves false when it is no longer this process's
   * (someone appended since its last event: the lease was taken over); rejects when the store
   * cannot be reached (the lease may still be this process's; try again, within the time left).
   */
  async renew(): Promise<boolean> {
    const own = this.own;
    if (own === undefined) return false;
    try {
      await this.append(LEASE_RENEWED, this.clock(), { revision: own.revision, hash: own.hash });
      return true;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      this.own = undefined;
      return false;
    }
  }

  /**
   * Lets the lease go (`LeaseReleased`), so that another process takes it at once instead of
   * waiting for it to expire. A no-op when this process does not hold it; a lease taken over in
   * the meantime is left as it is.
   */
  async release(): Promise<void> {
    const own = this.own;
    if (own === undefined) return;
    this.own = undefined;
    try {
      await this.append(LEASE_RELEASED, this.clock(), { revision: own.revision, hash: own.hash }, 0);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }

  /** Forgets that this process holds the lease (it stopped using it); the stream is not touched. */
  forget(): void {
    this.own = undefined;
  }

  private async append(
    type: string,
    now: number,
    after: { readonly revision: bigint; readonly metadata?: { readonly hash: string }; readonly hash?: string } | undefined,
    ttlMs = this.options.ttlMs,
  ): Promise<{ readonly position: GlobalPosition }> {
    const at = new Date(now).toISOString();
    const expiresAtMs = now + ttlMs;
    const data: LeaseEventData = { holder: this.holder, expiresAt: new Date(expiresAtMs).toISOString() };
    const end = after === undefined ? undefined : { revision: after.revision, hash: after.hash ?? after.metadata?.hash ?? '' };
    const { event, expected } = sealSystemEvent(this.stream, end, { type, data, actor: LEASE_ACTOR, correlationId: randomUUID(), causationId: 'lease', occurredAt: at, recordedAt: at });
    const appended = await this.options.store.appendToStream(this.stream, [event], expected);
    this.own = type === LEASE_RELEASED ? undefined : { revision: appended.nextExpectedRevision, hash: event.metadata.hash, expiresAtMs };
    this.lastSeen = { holder: this.holder, expiresAtMs, released: type === LEASE_RELEASED, revision: appended.nextExpectedRevision };
    return { position: appended.position };
  }
}

const viewOf = (event: StoredEvent): LeaseView => {
  const data = event.data as Partial<LeaseEventData> | null;
  const expiresAtMs = typeof data?.expiresAt === 'string' ? Date.parse(data.expiresAt) : Number.NaN;
  if (!LEASE_TYPES.includes(event.type) || typeof data?.holder !== 'string' || !Number.isFinite(expiresAtMs)) {
    throw new LeaseStreamError(`${event.streamId} revision ${event.revision.toString()} is not a lease event (${event.type})`);
  }
  return { holder: data.holder, expiresAtMs, released: event.type === LEASE_RELEASED, revision: event.revision };
};

/** When a lease is renewed and given up (see the README of this folder for the defaults and why). */
export interface LeaseTimings {
  /** How long an acquisition or renewal holds (default 10 s). */
  readonly ttlMs: number;
  /** How often the holder renews (default 3 s). */
  readonly renewMs: number;
  /** How often a process without the lease looks whether it is free (default 2 s). */
  readonly pollMs: number;
  /**
   * The holder stops at `expiresAt − marginMs` by its own clock when it could not renew (default
   * 4 s): replica clocks must agree within this margin, less the time delivery takes to stop.
   */
  readonly marginMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 10_000, renewMs: 3_000, pollMs: 2_000, marginMs: 4_000 };

/** After a renewal failed, the next try comes after this share of `renewMs` (before the deadline). */
const RETRY_SHARE = 1 / 3;

/** What {@link LeaseKeeper} tells its owner. */
export interface LeaseKeeperEvents {
  /** This process took the lease (at start, or from a process that released it, died or stopped renewing). */
  readonly onAcquired: (attempt: Extract<LeaseAttempt, { acquired: true }>) => void;
  /**
   * This process no longer holds the lease, or no longer knows it does (it could not renew before
   * its deadline, or another process took it): stop the singleton work now. Called at the latest
   * `marginMs` before the lease expires by this process's clock.
   */
  readonly onLost: (reason: string) => void;
  /** A look or renewal failed (the store is unreachable, …); the keeper tries again. */
  readonly onError?: (what: string, error: Error) => void;
}

export interface LeaseKeeperStatus {
  readonly held: boolean;
  /** Who holds the lease as this process last saw it (itself when held), or null when nobody does. */
  readonly holder: string | null;
  /** Until when (ISO), as that holder wrote it; null when nobody holds it. */
  readonly expiresAt: string | null;
}

/**
 * Keeps a {@link StoreLease}: takes it when free (at once, then every `pollMs`), renews it every
 * `renewMs` while held, and gives it up by its own clock at `expiresAt − marginMs` when the
 * renewals fail, so that it has stopped before any other process can see the lease expired
 * (provided the clocks agree within `marginMs`). A lease lost that way is taken again when the
 * store answers and nobody else took it meanwhile. `stop()` releases it.
 */
export class LeaseKeeper {
  private held = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  /** An attempt in progress (acquire or renew): one at a time. */
  private busy: Promise<void> | undefined;

  constructor(
    readonly lease: StoreLease,
    private readonly timings: LeaseTimings,
    private readonly events: LeaseKeeperEvents,
    private readonly clock: () => number = Date.now,
  ) {}

  get status(): LeaseKeeperStatus {
    if (this.held) {
      const expiresAtMs = this.lease.expiresAtMs;
      return { held: true, holder: this.lease.holder, expiresAt: expiresAtMs === undefined ? null : new Date(expiresAtMs).toISOString() };
    }
    const seen = this.lease.seen;
    if (seen === undefined || seen.released || seen.expiresAtMs < this.clock()) return { held: false, holder: null, expiresAt: null };
    // Its own lease, given up after failed renewals, still counts as the holder's until it expires.
    return { held: false, holder: seen.holder, expiresAt: new Date(seen.expiresAtMs).toISOString() };
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Makes the first attempt (resolves with whether it holds the lease), then keeps going in the background. */
  async start(): Promise<boolean> {
    await this.attempt();
    return this.held;
  }

  /** No more attempts; once any in progress is over, releases the lease if held. Call after the work stopped. */
  async stop(): Promise<void> {
    this.halt();
    await this.busy;
    this.clearDeadline();
    if (this.held) {
      this.held = false;
      await this.lease.release().catch((error: unknown) => this.events.onError?.('release the lease', asError(error)));
    } else {
      this.lease.forget();
    }
  }

  /**
   * Lets the lease go (the work could not start) and goes on looking: another process may take
   * it meanwhile, or this one again at its next look.
   */
  async relinquish(): Promise<void> {
    await this.busy;
    if (!this.held) return;
    this.held = false;
    this.clearDeadline();
    await this.lease.release().catch((error: unknown) => this.events.onError?.('release the lease', asError(error)));
    this.schedule(this.timings.pollMs);
  }

  /** Stops scheduling attempts (the lease is kept until {@link stop} releases it). */
  halt(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), ms);
    this.timer.unref();
  }

  private attempt(): Promise<void> {
    if (this.stopped) return this.busy ?? Promise.resolve();
    if (this.busy !== undefined) {
      // A call still in flight (a store slow to answer): look again later.
      this.schedule(this.held ? Math.max(1, Math.round(this.timings.renewMs * RETRY_SHARE)) : this.timings.pollMs);
      return this.busy;
    }
    const run = (this.held ? this.renew() : this.acquire()).finally(() => {
      this.busy = undefined;
    });
    this.busy = run;
    return run;
  }

  private async acquire(): Promise<void> {
    let attempt: LeaseAttempt;
    try {
      attempt = await this.lease.tryAcquire();
    } catch (error) {
      this.events.onError?.('take the lease', asError(error));
      this.schedule(this.timings.pollMs);
      return;
    }
    if (this.stopped) {
      // Stopped while the append was in flight: let it go again at once.
      if (attempt.acquired) await this.lease.release().catch(() => undefined);
      return;
    }
    if (!attempt.acquired) {
      this.schedule(this.timings.pollMs);
      return;
    }
    this.held = true;
    this.armDeadline();
    this.schedule(this.timings.renewMs);
    this.events.onAcquired(attempt);
  }

  private async renew(): Promise<void> {
    let renewed: boolean;
    try {
      renewed = await this.lease.renew();
    } catch (error) {
      this.events.onError?.('renew the lease', asError(error));
      if (this.held) this.schedule(Math.max(1, Math.round(this.timings.renewMs * RETRY_SHARE)));
      return;
    }
    if (!this.held) return; // given up at the deadline while the renewal was in flight
    if (!renewed) {
      this.lose('another process took the lease');
      return;
    }
    this.armDeadline();
    this.schedule(this.timings.renewMs);
  }

  /** The holder's deadline: `expiresAt − marginMs` by this process's clock. */
  private armDeadline(): void {
    this.clearDeadline();
    const expiresAtMs = this.lease.expiresAtMs;
    if (expiresAtMs === undefined) return;
    const ms = Math.max(0, expiresAtMs - this.timings.marginMs - this.clock());
    this.deadline = setTimeout(() => this.lose(`the lease could not be renewed before ${new Date(expiresAtMs - this.timings.marginMs).toISOString()} (it expires at ${new Date(expiresAtMs).toISOString()})`), ms);
    this.deadline.unref();
  }

  private clearDeadline(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private lose(reason: string): void {
    if (!this.held) return;
    this.held = false;
    this.clearDeadline();
    this.events.onLost(reason);
    // Back to looking: the lease is taken again if it is free, or still this process's.
    this.schedule(this.timings.pollMs);
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
