import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { envelopeOf, formatGlobalPosition, type EventEnvelope } from '@support-sla/projections';
import { CHUNK_CHARS, type ReadModelStore } from '../checkpoints/read-model.store';
import {
  comparePositions,
  EventStoreUnavailableError,
  type EventStore,
  type GlobalPosition,
  type StoredEvent,
  type Subscription,
} from '../event-store/event-store.port';

/** What a projection learns about an event besides its payload: the projections package's envelope. */
export type ProjectionEnvelope = EventEnvelope;

/** A pure fold the runner can host. Same shape as the projections package's `Projection`. */
export interface RunnableProjection<Model, Event> {
  readonly name: string;
  /** A stored model of another version is thrown away and rebuilt from position zero. */
  readonly version: number;
  readonly initialState: () => Model;
  readonly evolve: (model: Model, event: Event, envelope: ProjectionEnvelope) => Model;
  readonly serialize: (model: Model) => string;
  /**
   * Optional: `serialize`'s bytes in chunks (`[...serializeChunks(m)].join('') === serialize(m)`,
   * an empty chunk is a pause point). With it, checkpoints are written a slice at a time.
   */
  readonly serializeChunks?: (model: Model) => Iterable<string>;
  /**
   * Optional: `serializeChunks` of the model as it is at the call, however the model changes
   * while the pieces are pulled. With it, events go on being folded while a checkpoint is written.
   */
  readonly serializeSnapshot?: (model: Model) => Iterable<string>;
  readonly deserialize: (json: string) => Model;
}

/**
 * Something that follows the log through a runner's fold instead of reading it again (the
 * mailer): it is handed each folded event with what the fold learnt, while the model is as of
 * that event, and is told at the end of each batch to make its work durable.
 */
export interface ProjectionFollower<Model, Event, Learnt> {
  readonly name: string;
  /**
   * The position up to which the follower's own durable state has seen the log (undefined:
   * nothing). Read when the runner starts: a stored model ahead of it is discarded and the log
   * folded from the start, so that the follower is handed every event it has not seen, with the
   * model as of that event.
   */
  readonly position: () => GlobalPosition | undefined;
  /** Synchronous, right after `event` was folded; `model` is as of the event. Must not throw. */
  readonly folded: (stored: StoredEvent, event: Event, learnt: Learnt, model: Model) => void;
  /** Positions passed over (other streams): the follower may record that it has seen them. */
  readonly passed?: (position: GlobalPosition) => void;
  /**
   * End of a batch (`followerBatch` events, or those of `followerDelayMs`; always before the
   * runner writes a checkpoint of the model): make what was handed over durable. A promise holds
   * the next event back until it settles. Failures are the follower's to retry.
   */
  readonly flush: () => void | Promise<void>;
  /**
   * For a follower whose `flush` only hands the batch on (to a thread) and holds the fold back
   * only while an earlier batch is still being written: resolves once everything handed over is
   * durable (or its batch failed: the follower retries it). The runner waits for it before it
   * stores the model, when a follower is let go, and when it stops.
   */
  readonly durable?: () => void | Promise<void>;
}

export interface ProjectionRunnerOptions<Model, Event, Learnt = undefined> {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly projection: RunnableProjection<Model, Event>;
  /** Turns a stored event into the projection's event; `undefined` skips it (not for this projection). */
  readonly decode: (stored: StoredEvent) => Event | undefined;
  /** Only streams with these prefixes are read (server-side filtering where the store supports it). */
  readonly streamPrefixes?: readonly string[];
  /** Persist model and checkpoint after this many events (default 1000). */
  readonly flushEvery?: number;
  /**
   * When set, a checkpoint also waits for (size of the last serialized model ÷ this) events, so
   * that writing the whole model costs at most about this many bytes of JSON per event folded,
   * however large the model grows. A restart then refolds at most that many events.
   */
  readonly flushBytesPerEvent?: number;
  /** ... or once no event arrived for this long (default 250 ms). */
  readonly flushIdleMs?: number;
  /** Wait before resubscribing after the store became unreachable (default 1 s). */
  readonly retryMs?: number;
  /**
   * Longest a checkpoint works in one turn of the event loop, serializing (default 4 ms): then it
   * writes what it has as one chunk and lets other work run. Only for projections with
   * `serializeChunks`.
   */
  readonly checkpointSliceMs?: number;
  /**
   * For projections with `serializeSnapshot`: about the largest share of the event loop's time a
   * checkpoint takes (default 0.1). After a slice of `d` ms of serializing it waits
   * `d × (1 − share) / share` ms, so a checkpoint of a large model does not take turns from
   * requests back to back; writing each slice to SQLite and taking the snapshot come on top. With
   * only `serializeChunks`, the next slice follows on the next turn, because events wait for it.
   */
  readonly checkpointShare?: number;
  readonly onError?: (error: Error, context: { projection: string; fatal: boolean }) => void;
  /**
   * For followers: folds an event like `projection.evolve` and says what the fold learnt (for the
   * read models, the ticket's transition). Without it, followers are handed `undefined`.
   */
  readonly evolveLearning?: (model: Model, event: Event, envelope: ProjectionEnvelope) => { readonly model: Model; readonly learnt: Learnt };
  /** Events handed to followers before they are told to flush at once (default 1000). */
  readonly followerBatch?: number;
  /**
   * Otherwise followers are told to flush this long after the first event of a batch (default
   * 25 ms): while catching up, a batch is then up to `followerBatch` events (one transaction of
   * the mailer's) instead of the few a subscription delivers per turn of the event loop.
   */
  readonly followerDelayMs?: number;
}

export type ProjectionStatus = 'stopped' | 'running' | 'failed';

/** `waitForPosition` gave up: the model had not folded the position in time. */
export class ProjectionTimeoutError extends Error {
  override readonly name = 'ProjectionTimeoutError';
}

/** The projection failed (an event it cannot fold); it will not make progress until fixed and restarted. */
export class ProjectionFailedError extends Error {
  override readonly name = 'ProjectionFailedError';
  constructor(
    message: string,
    /**
     * Why, in words that may be given to a client (the error answers say it): set when the cause
     * is a stored event that does not decode, which names its stream, revision and fields.
     */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** An error that says where in the log it happened, such as the service's `UndecodableStoredEventError`. */
interface LocatedError {
  readonly name: string;
  readonly message: string;
  readonly streamId: string;
  readonly revision: bigint;
}

const isLocated = (error: Error): error is Error & LocatedError =>
  error.name === 'UndecodableStoredEventError' && typeof (error as Partial<LocatedError>).streamId === 'string' && typeof (error as Partial<LocatedError>).revision === 'bigint';

interface Waiter {
  readonly target: GlobalPosition;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** A checkpoint being written in slices; aborting it makes it stop at its next slice, cutting a pause short. */
interface Checkpoint {
  readonly done: Promise<void>;
  readonly abort: AbortController;
  /** True when events wait for it (the projection has no `serializeSnapshot`). */
  readonly holdsEvents: boolean;
}

/** What a checkpoint in slices writes: the model's pieces as of `position`, after `pending` events. */
interface CheckpointSource {
  readonly pieces: Iterator<string>;
  readonly position: GlobalPosition | undefined;
  readonly pending: number;
}

/**
 * Hosts one projection: feeds it the store's global log from its stored checkpoint and persists
 * the serialized model together with that checkpoint every `flushEvery` events (or more, see
 * `flushBytesPerEvent`) and whenever the feed goes idle.
 *
 * Why this is exactly-once: the model in memory may run ahead of the stored one, but the store
 * always holds a model and the position of the last event folded into *that* model, committed
 * together. After a crash the runner loads them and resumes strictly after that position, so
 * each event is folded into the stored model exactly once — provided `evolve` is a pure
 * function, which the projections package guarantees.
 *
 * Checkpoints do not stall the event loop. When the projection has `serializeChunks`, the model
 * is serialized for at most `checkpointSliceMs` per turn, each slice's text is written as one
 * chunk of a new snapshot, and a last small write makes the snapshot current (see
 * {@link ReadModelStore.begin}). The model is updated in place, so while such a checkpoint is
 * being written no event is folded: `onEvent` returns the checkpoint's promise, and the
 * subscription delivers the next event once it settles. Queries read the (unchanged) model
 * meanwhile. When the projection has `serializeSnapshot`, the pieces are those of the model as
 * it was when the checkpoint began, so events go on being folded while it is written, and its
 * slices are spaced out to take at most `checkpointShare` of the event loop's time.
 */
export class ProjectionRunner<Model, Event, Learnt = undefined> {
  private current: Model;
  private readonly followers: ProjectionFollower<Model, Event, Learnt>[] = [];
  /** Events handed to followers since they last flushed. */
  private unflushed = 0;
  private followerFlushScheduled = false;
  private folded: GlobalPosition | undefined;
  private persisted: GlobalPosition | undefined;
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  private waiters: Waiter[] = [];
  private state: ProjectionStatus = 'stopped';
  private failure: Error | undefined;
  private readonly flushEvery: number;
  /** Events to fold before the next checkpoint: `flushEvery`, or more once the model is large. */
  private flushAfter: number;
  private readonly flushIdleMs: number;
  private readonly retryMs: number;
  private readonly sliceMs: number;
  private readonly share: number;
  private readonly followerBatch: number;
  /** The checkpoint being written in slices, if any (events wait for it unless it is of a snapshot). */
  private checkpoint: Checkpoint | undefined;

  constructor(private readonly options: ProjectionRunnerOptions<Model, Event, Learnt>) {
    this.current = options.projection.initialState();
    this.flushEvery = Math.max(1, options.flushEvery ?? 1000);
    this.flushAfter = this.flushEvery;
    this.flushIdleMs = Math.max(0, options.flushIdleMs ?? 250);
    this.retryMs = Math.max(10, options.retryMs ?? 1_000);
    this.sliceMs = Math.max(0, options.checkpointSliceMs ?? 4);
    this.share = Math.min(1, Math.max(0.01, options.checkpointShare ?? 0.1));
    this.followerBatch = Math.max(1, options.followerBatch ?? 1000);
  }

  get name(): string {
    return this.options.projection.name;
  }

  /**
   * The model as of {@link position}. Callers must not mutate it. Once the projection has failed
   * this throws {@link ProjectionFailedError}: the model stopped before an event it could not
   * fold, so it is wrong from then on, and queries say so (503) instead of serving it.
   * {@link lastModel} still gives it.
   */
  get model(): Model {
    if (this.state === 'failed') throw this.failedError();
    return this.current;
  }

  /** The model as far as it was folded, also after a failure (for tests and diagnosis). */
  get lastModel(): Model {
    return this.current;
  }

  /** Position of the last event folded (or passed over by the filter), undefined before any. */
  get position(): GlobalPosition | undefined {
    return this.folded;
  }

  /** Position of the last model persisted with its checkpoint. */
  get persistedPosition(): GlobalPosition | undefined {
    return this.persisted;
  }

  get status(): ProjectionStatus {
    return this.state;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /**
   * Adds a follower (before {@link start}, so that its position is taken into account). It is
   * handed every event folded from then on; see {@link ProjectionFollower}.
   */
  follow(follower: ProjectionFollower<Model, Event, Learnt>): void {
    this.followers.push(follower);
  }

  /** Flushes the follower and stops handing it events. */
  async unfollow(follower: ProjectionFollower<Model, Event, Learnt>): Promise<void> {
    if (!this.followers.includes(follower)) return;
    await follower.flush();
    await follower.durable?.();
    const index = this.followers.indexOf(follower);
    if (index >= 0) this.followers.splice(index, 1);
  }

  /** Loads the stored model (rebuilding when its version differs) and starts following the log. */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    const { projection, readModels } = this.options;
    let stored = readModels.load(projection.name);
    const behind = stored === undefined ? undefined : this.followers.find((f) => isBefore(f.position(), stored!.position));
    if (stored !== undefined && behind !== undefined) {
      // A follower has not seen what the stored model has (a new mail file, or one that was
      // off): fold from the start so that it is handed those events with the model as of each.
      // Nothing was read from this runner yet, so nothing is served from the discarded model.
      this.options.onError?.(new Error(`follower ${behind.name} is behind the stored model: folding the log again from the start`), { projection: this.name, fatal: false });
      readModels.remove(projection.name);
      stored = undefined;
    }
    if (stored !== undefined && stored.version === projection.version) {
      this.current = projection.deserialize(stored.state);
      this.folded = stored.position;
    } else {
      if (stored !== undefined) readModels.remove(projection.name);
      this.current = projection.initialState();
      this.folded = undefined;
    }
    this.persisted = this.folded;
    this.pending = 0;
    this.failure = undefined;
    this.state = 'running';
    this.subscribe();
  }

  /**
   * Stops following the log; by default persists what was folded so far (after a checkpoint in
   * progress is finished). With `flush: false` a checkpoint in progress is abandoned, as in a crash.
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // A snapshot being written would be overtaken by the flush below at once: it need not finish.
    if (this.checkpoint !== undefined && (options.flush === false || !this.checkpoint.holdsEvents)) this.checkpoint.abort.abort();
    await this.unsubscribe();
    await this.flushFollowers(true);
    await this.checkpoint?.done;
    if (options.flush !== false) this.flush();
    this.rejectWaiters(new ProjectionFailedError(`projection ${this.name} stopped`));
  }

  /** Throws the stored model away and folds the whole log again from position zero. */
  async rebuild(): Promise<void> {
    await this.stop({ flush: false });
    this.options.readModels.remove(this.name);
    await this.start();
  }

  /**
   * Persists the model and its checkpoint now, in one synchronous write (a no-op when nothing
   * changed since the last time). The runner's own checkpoints are written in slices instead
   * when the projection allows it; this is for shutdown and tests.
   */
  flush(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    void this.flushFollowers();
    if (!this.hasUnsaved()) return;
    // This write stores the same model; a checkpoint being written in slices need not finish.
    this.checkpoint?.abort.abort();
    const { projection, readModels } = this.options;
    const state = projection.serialize(this.current);
    readModels.save({ name: projection.name, version: projection.version, state, position: this.folded });
    this.saved(this.folded, state.length);
  }

  /** Resolves once the model has folded everything up to `position`; rejects after `timeoutMs`. */
  waitForPosition(position: GlobalPosition, timeoutMs: number): Promise<void> {
    if (this.folded !== undefined && comparePositions(this.folded, position) >= 0) return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(this.failedError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        target: position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new ProjectionTimeoutError(`projection ${this.name} did not reach position ${formatGlobalPosition(position)} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
      // A position the filter passes over (a lease renewal, a seal, a number's claim: the log's
      // head, say) is reported by a filtered EventStoreDB subscription only at its next
      // checkpoint. With nothing of this projection's up to it, there is nothing to wait for.
      void this.nothingOwnUpTo(position).then((nothing) => {
        if (!nothing || !this.waiters.includes(waiter)) return;
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      });
    });
  }

  /** True when the log holds no event of this projection after what it folded, up to `position` (false when that cannot be told). */
  private async nothingOwnUpTo(position: GlobalPosition): Promise<boolean> {
    if (this.options.streamPrefixes === undefined || this.state !== 'running') return false;
    try {
      const [next] = await this.options.store.readAll({ ...(this.folded === undefined ? {} : { after: this.folded }), maxCount: 1, streamPrefixes: this.options.streamPrefixes });
      return next === undefined || comparePositions(next.position, position) > 0;
    } catch {
      return false; // the store did not answer: wait for the fold as usual
    }
  }

  /** The position of the last event in the log (undefined: an empty log). */
  head(): Promise<GlobalPosition | undefined> {
    return this.options.store.headPosition();
  }

  /**
   * How far the model trails the head of the log, in commit-position units (events for SQLite
   * and in-memory, bytes of transaction log for EventStoreDB). 0 when caught up.
   */
  async lag(): Promise<bigint> {
    const head = await this.head();
    if (head === undefined) return 0n;
    const at = this.folded?.commit ?? 0n;
    if (head.commit <= at) return 0n;
    // The head may be an event the filter passes over (a lease renewal every few seconds, a
    // seal), which a filtered EventStoreDB subscription reports only at its next checkpoint
    // (every 32 records scanned): with nothing of this projection's up to the head, it is not behind.
    if (await this.nothingOwnUpTo(head)) return 0n;
    return head.commit - at;
  }

  private subscribe(): void {
    this.subscription = this.options.store.subscribeToAll({
      after: this.folded,
      streamPrefixes: this.options.streamPrefixes,
      onEvent: (event) => this.onEvent(event),
      onCheckpoint: (position) => {
        for (const follower of this.followers) follower.passed?.(position);
        this.advanceTo(position, true);
      },
      onError: (error) => this.onSubscriptionError(error),
    });
  }

  private async unsubscribe(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private onEvent(stored: StoredEvent): Promise<void> | void {
    // Backpressure: the model must stay as it is being saved, so the event waits for the checkpoint.
    const inProgress = this.checkpoint;
    if (inProgress?.holdsEvents === true) return inProgress.done.then(() => this.onEvent(stored));
    if (this.state !== 'running') return;
    // A resubscription may replay what was already folded; positions make that harmless.
    if (this.folded !== undefined && comparePositions(stored.position, this.folded) <= 0) return;
    const event = this.options.decode(stored);
    if (event !== undefined) {
      if (this.followers.length === 0) this.current = this.options.projection.evolve(this.current, event, envelopeOf(stored));
      else this.foldForFollowers(stored, event);
    } else {
      for (const follower of this.followers) follower.passed?.(stored.position);
    }
    this.pending += 1;
    this.advanceTo(stored.position);
    const flushed = this.unflushed >= this.followerBatch ? this.flushFollowers() : undefined;
    // The checkpoint being written, if it holds events back (its promise never rejects).
    const held = this.checkpoint?.holdsEvents === true ? this.checkpoint.done : undefined;
    return flushed === undefined ? held : held === undefined ? flushed : Promise.all([flushed, held]).then(() => undefined);
  }

  /** Folds one event and hands it, with what the fold learnt, to every follower. */
  private foldForFollowers(stored: StoredEvent, event: Event): void {
    const { evolveLearning, projection } = this.options;
    const envelope = envelopeOf(stored);
    const { model, learnt } = evolveLearning?.(this.current, event, envelope) ?? { model: projection.evolve(this.current, event, envelope), learnt: undefined as Learnt };
    this.current = model;
    for (const follower of this.followers) follower.folded(stored, event, learnt, this.current);
    this.unflushed++;
    if (!this.followerFlushScheduled) {
      this.followerFlushScheduled = true;
      setTimeout(() => void this.flushFollowers(), this.options.followerDelayMs ?? 25);
    }
  }

  /**
   * Tells every follower to make what it was handed durable (see {@link ProjectionFollower.flush});
   * with `durable`, the promise also waits for {@link ProjectionFollower.durable}.
   */
  private flushFollowers(durable = false): Promise<void> | undefined {
    this.followerFlushScheduled = false;
    if (this.followers.length === 0) return undefined;
    this.unflushed = 0;
    const waits: Promise<void>[] = [];
    for (const follower of this.followers) {
      try {
        const result = follower.flush();
        if (result !== undefined) waits.push(result.catch((error: unknown) => this.followerFailed(follower, error)));
        const written = durable ? follower.durable?.() : undefined;
        if (written !== undefined) waits.push(written.catch((error: unknown) => this.followerFailed(follower, error)));
      } catch (error) {
        this.followerFailed(follower, error);
      }
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  private followerFailed(follower: ProjectionFollower<Model, Event, Learnt>, error: unknown): void {
    this.options.onError?.(new Error(`follower ${follower.name}: ${asError(error).message}`), { projection: this.name, fatal: false });
  }

  private advanceTo(position: GlobalPosition, passedOver = false): void {
    if (this.state !== 'running') return;
    if (this.folded !== undefined && comparePositions(position, this.folded) <= 0) return;
    this.folded = position;
    if (passedOver && this.pending === 0) {
      // Only other streams' events since the last checkpoint (a lease renewed every few
      // seconds): not worth writing the whole model for; the next checkpoint (or a stop)
      // stores this position with it, and a restart before that passes over them again.
      this.resolveWaiters();
      return;
    }
    if (this.pending >= this.flushAfter) this.startCheckpoint();
    // Idle means idle: every event pushes the timer back, so a steady stream is not interrupted
    // by whole-model writes on a timer (the event count bounds how much a crash refolds).
    else if (this.idleTimer === undefined) this.idleTimer = setTimeout(() => this.startCheckpoint(), this.flushIdleMs);
    else this.idleTimer.refresh();
    this.resolveWaiters();
  }

  /** A checkpoint in slices when the projection can serialize in chunks, else at once. */
  private startCheckpoint(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.checkpoint !== undefined) return;
    // Followers first: a stored model never gets ahead of what they made durable (but for one
    // whose flush failed, which the start-up rule in start() covers).
    // A follower that writes elsewhere (a thread) answers with a promise: the model is stored
    // once that settles, so that its stored position does not pass what the follower made durable.
    const followers = this.flushFollowers(true);
    const { serializeChunks, serializeSnapshot } = this.options.projection;
    const chunksOf = serializeSnapshot ?? serializeChunks;
    if (chunksOf === undefined) {
      if (followers === undefined) {
        this.flushSafely();
        return;
      }
      // Events wait meanwhile: the model stored is the one the followers were flushed at.
      const checkpoint: Checkpoint = {
        abort: new AbortController(),
        holdsEvents: true,
        done: followers.then(() => {
          this.checkpoint = undefined;
          if (!checkpoint.abort.signal.aborted && this.state === 'running') this.flushSafely();
        }),
      };
      this.checkpoint = checkpoint;
      return;
    }
    if (!this.hasUnsaved()) return;
    let source: CheckpointSource;
    try {
      // Taken now, before any other event is folded: the pieces, and what they are the model of.
      source = { pieces: chunksOf(this.current)[Symbol.iterator](), position: this.folded, pending: this.pending };
    } catch (error) {
      this.options.onError?.(asError(error), { projection: this.name, fatal: false });
      return;
    }
    const holdsEvents = serializeSnapshot === undefined;
    const checkpoint: Checkpoint = {
      abort: new AbortController(),
      holdsEvents,
      done: Promise.resolve().then(async () => {
        try {
          await followers;
          await this.writeInSlices(source, checkpoint);
        } catch (error) {
          // The stored model stays the previous one; the next checkpoint tries again.
          this.options.onError?.(asError(error), { projection: this.name, fatal: false });
        } finally {
          this.checkpoint = undefined;
          // Events folded while it was written still need a checkpoint (positions passed over
          // alone wait for the next one, see advanceTo).
          if (this.state === 'running' && this.pending > 0 && this.idleTimer === undefined) {
            this.idleTimer = setTimeout(() => this.startCheckpoint(), this.flushIdleMs);
          }
        }
      }),
    };
    this.checkpoint = checkpoint;
  }

  private async writeInSlices(source: CheckpointSource, checkpoint: Checkpoint): Promise<void> {
    const { projection, readModels } = this.options;
    // The pieces are of the model as of `position`: either no event is folded until this
    // checkpoint is done, or they were taken as a snapshot.
    const { pieces: chunks, position } = source;
    const writer = readModels.begin(projection.name);
    let length = 0;
    let lastSliceMs = 0;
    for (let done = false; !done; ) {
      // Yield first: the turn that triggered the checkpoint has done its own work already. While
      // events wait for the checkpoint, on the next turn; else after a pause that keeps its share.
      if (checkpoint.holdsEvents) await nextTurn();
      else await pause((lastSliceMs * (1 - this.share)) / this.share, checkpoint.abort.signal);
      if (checkpoint.abort.signal.aborted) return;
      const slice: string[] = [];
      let size = 0;
      const started = performance.now();
      do {
        const next = chunks.next();
        if (next.done === true) {
          done = true;
          break;
        }
        slice.push(next.value);
        size += next.value.length;
      } while (size < CHUNK_CHARS && performance.now() - started < this.sliceMs);
      lastSliceMs = performance.now() - started;
      if (size > 0) await writer.write(slice.join(''));
      length += size;
    }
    if (checkpoint.abort.signal.aborted) return;
    await writer.commit({ version: projection.version, position });
    // A flush while the commit ran stored a newer model, and did the bookkeeping for it.
    if (checkpoint.abort.signal.aborted) return;
    this.saved(position, length, source.pending);
  }

  private hasUnsaved(): boolean {
    return this.pending > 0 || !samePosition(this.persisted, this.folded);
  }

  /**
   * Bookkeeping after the model as of `position` was stored (`length` characters of JSON), which
   * had folded `pending` of the events counted since the last checkpoint (all of them by default;
   * those folded while a snapshot was written remain).
   */
  private saved(position: GlobalPosition | undefined, length: number, pending = this.pending): void {
    this.persisted = position;
    this.pending -= pending;
    const perEvent = this.options.flushBytesPerEvent;
    this.flushAfter = perEvent === undefined ? this.flushEvery : Math.max(this.flushEvery, Math.ceil(length / perEvent));
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (error) {
      this.options.onError?.(asError(error), { projection: this.name, fatal: false });
    }
  }

  private onSubscriptionError(error: Error): void {
    this.subscription = undefined;
    if (this.state !== 'running') return;
    if (error instanceof EventStoreUnavailableError) {
      // The store went away: keep the model, and resubscribe from where it stands.
      this.options.onError?.(error, { projection: this.name, fatal: false });
      this.retryTimer = setTimeout(() => {
        if (this.state === 'running') this.subscribe();
      }, this.retryMs);
      return;
    }
    // An event the projection cannot fold: stop here rather than skip it and serve a wrong model.
    this.state = 'failed';
    this.failure = error;
    this.flushSafely();
    this.options.onError?.(error, { projection: this.name, fatal: true });
    this.rejectWaiters(this.failedError());
  }

  private failedError(): ProjectionFailedError {
    const failure = this.failure;
    const message = `projection ${this.name} failed: ${failure?.message ?? 'unknown error'}`;
    if (failure === undefined || !isLocated(failure)) return new ProjectionFailedError(message);
    return new ProjectionFailedError(message, `read model ${this.name} stopped at ${failure.message}; an operator must repair the event (see RELIABILITY.md, "An event that does not decode")`);
  }

  private resolveWaiters(): void {
    const folded = this.folded;
    if (folded === undefined) return;
    this.waiters = this.waiters.filter((waiter) => {
      if (comparePositions(folded, waiter.target) < 0) return true;
      clearTimeout(waiter.timer);
      waiter.resolve();
      return false;
    });
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

/** The next turn of the event loop, after at least `ms` milliseconds when that is more than a millisecond (or sooner, on `signal`). */
const pause = (ms: number, signal: AbortSignal): Promise<unknown> => (ms >= 1 ? sleep(ms, undefined, { signal }).catch(() => undefined) : nextTurn());

/** `a` is before `b` (undefined: before everything). */
const isBefore = (a: GlobalPosition | undefined, b: GlobalPosition | undefined): boolean =>
  b !== undefined && (a === undefined || comparePositions(a, b) < 0);

const samePosition = (a: GlobalPosition | undefined, b: GlobalPosition | undefined): boolean =>
  a === undefined || b === undefined ? a === b : comparePositions(a, b) === 0;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
