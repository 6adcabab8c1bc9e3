import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GlobalPosition, StoredEvent, SubscribeToAllOptions, Subscription } from '../event-store.port';

/** One page of the global log as scanned by a subscription. */
export interface ScannedPage {
  /** Matching events, in position order. */
  readonly events: readonly StoredEvent[];
  /** Position of the last row looked at (matching or not); undefined when nothing was there. */
  readonly scannedUpTo: GlobalPosition | undefined;
  /** How many rows were looked at; a full page means more may follow at once. */
  readonly rowsScanned: number;
  /** A short page that is known to be followed by more rows at once (the next scan should not wait). */
  readonly more?: boolean;
}

export interface PagedSubscriptionTuning {
  readonly pageSize: number;
  /**
   * A waiting subscription scans again at once if this process appended since its last scan,
   * on the next such append, or after `pollMs` at the latest (so appends made by another
   * process on the same file are seen too).
   */
  readonly pollMs: number;
}

/** Scans at most `limit` rows strictly after `after` and keeps those matching the prefixes. */
export type PageScan = (after: GlobalPosition | undefined, limit: number, streamPrefixes: readonly string[] | undefined) => ScannedPage | Promise<ScannedPage>;

const insideHandler = new AsyncLocalStorage<object>();

/** The longest a subscription delivers events in one turn of the event loop before it lets other work in. */
const TURN_MS = 4;

/**
 * The subscriptions of one in-memory or SQLite store: each a catch-up-then-live subscription
 * that pages through the global log from `after`, and when a page comes back short waits for a
 * change ({@link notify}, or the poll) and pages again. Because every delivery moves `after`
 * forward, there is no seam between catch-up and live at which an event could be skipped or
 * delivered twice.
 */
export class PagedSubscriptions {
  private readonly live = new Set<Subscription>();
  private waiters = new Set<() => void>();
  /** In-process appends so far, read before each scan so an append during the scan is not slept through. */
  private changes = 0;

  constructor(
    private readonly scan: PageScan,
    private readonly tuning: PagedSubscriptionTuning,
  ) {}

  /** Wakes waiting subscriptions: this process appended. */
  notify(): void {
    this.changes += 1;
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
  }

  start(options: SubscribeToAllOptions): Subscription {
    let stopped = false;
    const token = {};
    let signalStop: () => void = () => undefined;
    const stoppedPromise = new Promise<void>((resolve) => {
      signalStop = resolve;
    });
    let after = options.after;

    const run = async (): Promise<void> => {
      while (!stopped) {
        const seen = this.changes;
        const page = await this.scan(after, this.tuning.pageSize, options.streamPrefixes);
        let turnStarted = performance.now();
        for (const event of page.events) {
          if (stopped) return;
          await insideHandler.run(token, () => options.onEvent(event));
          after = event.position;
          // Handlers that return at once would fold a whole page in one turn of the event loop
          // (a backlog of hundreds of events): let other work in every few milliseconds.
          if (performance.now() - turnStarted >= TURN_MS) {
            await nextTurn();
            turnStarted = performance.now();
          }
        }
        if (stopped) return;
        const last = page.events[page.events.length - 1];
        if (page.scannedUpTo !== undefined && (last === undefined || last.position.commit !== page.scannedUpTo.commit || last.position.prepare !== page.scannedUpTo.prepare)) {
          // Rows that did not match the filter were passed over: tell the caller so its checkpoint can move.
          after = page.scannedUpTo;
          const checkpoint = page.scannedUpTo;
          if (options.onCheckpoint) await insideHandler.run(token, () => options.onCheckpoint?.(checkpoint));
        }
        if (page.rowsScanned < this.tuning.pageSize && page.more !== true) await this.wait(stoppedPromise, seen);
      }
    };

    const done = run().catch((error: unknown) => {
      if (stopped) return;
      stopped = true;
      signalStop();
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });

    const subscription: Subscription = {
      stop: async () => {
        this.live.delete(subscription);
        stopped = true;
        signalStop();
        // A handler that stops its own subscription must not wait for itself to return.
        if (insideHandler.getStore() !== token) await done;
      },
    };
    this.live.add(subscription);
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.stop()));
  }

  private wait(stopped: Promise<void>, seen: number): Promise<void> {
    if (this.changes !== seen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.tuning.pollMs);
      this.waiters.add(wake);
      void stopped.then(wake);
    });
  }
}

/** True when the stream id starts with one of the prefixes (or no filter is given). */
export const matchesPrefixes = (streamId: string, prefixes: readonly string[] | undefined): boolean =>
  prefixes === undefined || prefixes.some((prefix) => streamId.startsWith(prefix));
