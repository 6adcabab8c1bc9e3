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

export interface PagedSubscriptionSource {
  /** Scans at most `limit` rows strictly after `after` and keeps those matching the prefixes. */
  scan(after: GlobalPosition | undefined, limit: number, streamPrefixes: readonly string[] | undefined): ScannedPage | Promise<ScannedPage>;
  /** A counter of in-process appends, read before each scan so an append during the scan is not slept through. */
  changeCount(): number;
  /**
   * Resolves when new events may be there: at once if the change count moved past `seen`, on
   * the next in-process append, or after `pollMs` at the latest (so appends made by another
   * process on the same file are seen too).
   */
  waitForChange(pollMs: number, stopped: Promise<void>, seen: number): Promise<void>;
}

export interface PagedSubscriptionTuning {
  readonly pageSize: number;
  readonly pollMs: number;
}

const insideHandler = new AsyncLocalStorage<object>();

/** The longest a subscription delivers events in one turn of the event loop before it lets other work in. */
const TURN_MS = 4;

/**
 * Catch-up-then-live subscription shared by the in-memory and SQLite stores: it pages through
 * the global log from `after`, and when a page comes back short it waits for a change and pages
 * again. Because every delivery moves `after` forward, there is no seam between catch-up and
 * live at which an event could be skipped or delivered twice.
 */
export function startPagedSubscription(
  source: PagedSubscriptionSource,
  options: SubscribeToAllOptions,
  tuning: PagedSubscriptionTuning,
): Subscription {
  let stopped = false;
  const token = {};
  let signalStop: () => void = () => undefined;
  const stoppedPromise = new Promise<void>((resolve) => {
    signalStop = resolve;
  });
  let after = options.after;

  const run = async (): Promise<void> => {
    while (!stopped) {
      const seen = source.changeCount();
      const page = await source.scan(after, tuning.pageSize, options.streamPrefixes);
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
      if (page.rowsScanned < tuning.pageSize && page.more !== true) {
        await source.waitForChange(tuning.pollMs, stoppedPromise, seen);
      }
    }
  };

  const done = run().catch((error: unknown) => {
    if (stopped) return;
    stopped = true;
    signalStop();
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  });

  return {
    async stop(): Promise<void> {
      stopped = true;
      signalStop();
      // A handler that stops its own subscription must not wait for itself to return.
      if (insideHandler.getStore() !== token) await done;
    },
  };
}


/** Wakes waiting subscriptions when this process appends; a timeout covers everything else. */
export class ChangeNotifier {
  private waiters = new Set<() => void>();
  private changes = 0;

  get count(): number {
    return this.changes;
  }

  notify(): void {
    this.changes += 1;
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
  }

  wait(timeoutMs: number, stopped: Promise<void>, seen: number): Promise<void> {
    if (this.changes !== seen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
      void stopped.then(wake);
    });
  }
}

/** True when the stream id starts with one of the prefixes (or no filter is given). */
export const matchesPrefixes = (streamId: string, prefixes: readonly string[] | undefined): boolean =>
  prefixes === undefined || prefixes.some((prefix) => streamId.startsWith(prefix));
