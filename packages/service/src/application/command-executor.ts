import { createHash, randomUUID } from 'node:crypto';
import { map as mapRight, type Either } from 'fp-ts/Either';
import { decodeEvent, encodeEvent, type Decider, type DomainCommand, type DomainError, type DomainEvent } from '@support-sla/domain';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type StoredEvent,
} from '../event-store/event-store.port';
import type { UnsealedEvent } from '../hash-chain';
import { IdempotencyKeyReusedError } from '../idempotency/idempotency-key-reused.error';
import { foldStream, occurredAtOf, toDomainEvent } from './event-mapping';

/** Who asked, and how the request is traced through the log. */
export interface CommandContext {
  readonly actorId: string;
  readonly actorRole: string;
  readonly correlationId: string;
  /** The id of the request or event that caused this command. */
  readonly causationId: string;
  /** Client-supplied idempotency key: event ids derive from it, so a retried append is a no-op. */
  readonly idempotencyKey?: string;
  /**
   * With a key: what "the same request" is (the SHA-256 the idempotency cache computes over
   * method, path and canonical body). Stored with the events as `idempotencyFingerprint`, so a
   * replica that never saw the request refuses the key reused for another body from the log.
   */
  readonly idempotencyFingerprint?: string;
  /** Called when the answer is a replay of events a keyed request appended before (sets `Idempotent-Replayed`). */
  readonly onReplayed?: () => void;
  /** Further metadata to store with every event (e.g. the requester's organization). */
  readonly extraMetadata?: Readonly<Record<string, string>>;
}

export type { UnsealedEvent };

/** Adds `previousHash`/`hash` to each event, chained from the stream's last hash. */
export type Sealer = (
  streamId: string,
  firstRevision: bigint,
  previousHash: string,
  events: readonly UnsealedEvent[],
) => readonly NewEvent[];

/** A business rule refused the command (HTTP 422). */
export class DomainRuleViolation extends Error {
  override readonly name = 'DomainRuleViolation';
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

/** One field a check refused, named as the request or the event names it. */
export interface RefusedField {
  readonly field: string;
  readonly message: string;
}

/**
 * An instant the client supplied (a monitor's `observedAt`, a phone message's `receivedAt`) lies
 * outside the plausible window (HTTP 400, naming the field). Nothing was decided or stored.
 */
export class ImplausibleInstantError extends Error {
  override readonly name = 'ImplausibleInstantError';
  constructor(readonly issues: readonly RefusedField[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}

/**
 * A decided event would not decode again with the codec that reads it back (HTTP 422, naming
 * the event's fields): it was not stored. The request passed validation, so some value in it
 * (or derived from it) is one the event's codec refuses.
 */
export class UnstorableEventError extends Error {
  override readonly name = 'UnstorableEventError';
  constructor(
    readonly eventType: string,
    readonly issues: readonly RefusedField[],
  ) {
    super(`the command would store a ${eventType} event that does not decode again, so nothing was stored: ${issues.map((i) => i.message).join('; ')}`);
  }
}

/**
 * The window of instants a client may supply as when something happened in the world. Outside
 * it the value is a client's mistake (a clock at 1970, a wrong offset), not an observation: the
 * domain would record it, and deadlines, outages and reports would be computed from it.
 */
export interface PlausibleInstants {
  /** The earliest instant accepted, in epoch milliseconds. */
  readonly earliestMs: number;
  /** How far ahead of the service's clock a monitor's observation may be, in milliseconds. */
  readonly maxAheadMs: number;
}

/** From 2000-01-01T00:00:00Z; a monitor's observation at most 5 minutes after the service's clock. */
export const PLAUSIBLE_INSTANTS: PlausibleInstants = { earliestMs: Date.parse('2000-01-01T00:00:00Z'), maxAheadMs: 5 * 60_000 };

/** The fields of a command's `data` that the client supplies as instants of the world (the body's fields of the same name). */
export const CLIENT_INSTANT_FIELDS = ['observedAt', 'receivedAt', 'occurredAt'] as const;

/**
 * The fields also checked against the clock here: a monitor's observation. A receipt or
 * occurrence time later than the command is the domain's refusal (422 `RECEIVED_IN_FUTURE`),
 * which stays as it is; the domain refuses an observation later than its report too, so this
 * only turns a far-future one into a 400 at the boundary.
 */
const AHEAD_CHECKED_FIELDS: ReadonlySet<string> = new Set(['observedAt']);

/** The fields of `data` outside the window, or an empty list. */
export const implausibleInstants = (data: unknown, nowMs: number, window: PlausibleInstants = PLAUSIBLE_INSTANTS): RefusedField[] => {
  if (typeof data !== 'object' || data === null) return [];
  const issues: RefusedField[] = [];
  for (const field of CLIENT_INSTANT_FIELDS) {
    const value = (data as Record<string, unknown>)[field];
    if (typeof value !== 'string') continue;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) continue; // not an instant at all: the codecs say so
    if (ms < window.earliestMs) issues.push({ field, message: `must not be before ${new Date(window.earliestMs).toISOString()} (got ${new Date(ms).toISOString()})` });
    else if (AHEAD_CHECKED_FIELDS.has(field) && ms > nowMs + window.maxAheadMs) {
      issues.push({ field, message: `must not be more than ${Math.round(window.maxAheadMs / 60_000)} minutes after the service's clock (${new Date(nowMs).toISOString()})` });
    }
  }
  return issues;
};

/**
 * The event as the store will hold it: encoded by its codec, then through JSON (what every store
 * writes), then decoded again by the codec that reads it back. Throws {@link UnstorableEventError}
 * naming the fields when that fails, so nothing is ever appended that the service, the
 * projections or the audit cannot read.
 */
export const roundTrip = (event: DomainEvent): { readonly type: string; readonly schemaVersion: number; readonly data: unknown } => roundTripped(event).encoded;

/** {@link roundTrip}, with the event as it will be read back (what the answer's state is folded from). */
const roundTripped = (event: DomainEvent): { readonly encoded: { readonly type: string; readonly schemaVersion: number; readonly data: unknown }; readonly decoded: DomainEvent } => {
  let encoded: { type: string; schemaVersion: number; data: unknown };
  try {
    encoded = JSON.parse(JSON.stringify(encodeEvent(event))) as { type: string; schemaVersion: number; data: unknown };
  } catch (error) {
    throw new UnstorableEventError(String(event.type), [{ field: '(event)', message: `cannot be encoded: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const decoded = decodeEvent(encoded);
  if (decoded._tag === 'Left') {
    // `data.namedUser.email` is the event's field; without `data.` it reads as the request's.
    throw new UnstorableEventError(
      String(event.type),
      decoded.left.issues.map((i) => ({ field: i.path.replace(/^data\./, ''), message: `${event.type}.${i.path}: expected ${i.expected}` })),
    );
  }
  return { encoded, decoded: decoded.right };
};

/** Still conflicting after the bounded retries (HTTP 409). */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`stream ${streamId} kept changing underneath the command (${attempts} attempts); retry the request`);
  }
}

/**
 * A command that may be re-decided ({@link ExecuteOptions.redecide}) still lost every race on
 * its stream when its time budget ran out (HTTP 503). Not a conflict with what the client saw
 * (each attempt decided afresh on the stream as it then was) but a stream busier than its
 * writers can take turns on: the client should retry later, with the same key.
 */
export class RedecideBudgetExceededError extends Error {
  override readonly name = 'RedecideBudgetExceededError';
  constructor(
    readonly streamId: string,
    readonly attempts: number,
    readonly budgetMs: number,
  ) {
    super(`stream ${streamId} kept changing for ${budgetMs} ms (${attempts} attempts, each decided afresh); nothing was stored; retry later`);
  }
}

/** Default time budget of a re-decidable command: 5 s of attempts, then 503. */
export const DEFAULT_REDECIDE_BUDGET_MS = 5_000;
/** The longest pause between two attempts of a re-decidable command. */
export const REDECIDE_MAX_DELAY_MS = 100;

/**
 * Pause before attempt `attempt + 1` of a re-decidable command: "full jitter" over a window that
 * doubles from 2 ms and is capped at {@link REDECIDE_MAX_DELAY_MS}, so writers that lost
 * together spread out, and a long contention still retries several times a second.
 */
export const redecideDelayMs = (attempt: number, random: () => number = Math.random): number =>
  random() * Math.min(REDECIDE_MAX_DELAY_MS, 2 ** Math.min(attempt, 30));

export interface ExecutionResult<S> {
  readonly streamId: string;
  /** Events this command appended (empty for an idempotent no-op). */
  readonly events: readonly DomainEvent[];
  /** State after the command. */
  readonly state: S;
  /** Revision of the stream's last event, or undefined when the stream is still empty. */
  readonly revision: bigint | undefined;
  /** Global position of the last event appended, for read-your-writes waits. */
  readonly position: GlobalPosition | undefined;
  /** How many times a version conflict made the command run again. */
  readonly retries: number;
  /** True when the answer is that of events a keyed request appended before (nothing was appended now). */
  readonly replayed: boolean;
}

export interface CommandExecutorOptions {
  readonly clock: () => Date;
  readonly seal: Sealer;
  /** Attempts before a conflict is given up as 409 (default 5). */
  readonly maxAttempts?: number;
  readonly onConflict?: (streamId: string) => void;
  /**
   * Pause before attempt `attempt + 1` after a conflict (default: random, up to 2^attempt ms).
   * Writers that lost together would otherwise read and append together again, and with appends
   * committed in groups all but one of them would lose again.
   */
  readonly retryDelayMs?: (attempt: number) => number;
  /** How long a re-decidable command ({@link ExecuteOptions.redecide}) keeps trying (default {@link DEFAULT_REDECIDE_BUDGET_MS}). */
  readonly redecideBudgetMs?: number;
  /** Pause before attempt `attempt + 1` of a re-decidable command (default {@link redecideDelayMs}). */
  readonly redecideDelayMs?: (attempt: number) => number;
  readonly onAppend?: (streamId: string, millis: number) => void;
  /** The window client-supplied instants must fall in (default {@link PLAUSIBLE_INSTANTS}). */
  readonly plausibleInstants?: PlausibleInstants;
}

export interface ExecuteOptions {
  /**
   * The stream id was just made up at random, so the stream cannot exist yet: the first attempt
   * decides on the initial state without reading it. Should it exist after all, the append
   * (expecting no stream) fails, or the decision is a refusal, and the next attempt reads the
   * stream as usual.
   */
  readonly newStream?: boolean;
  /**
   * The command may safely be decided again on whatever the stream holds by then: its builder
   * reads the fresh state and time, and the domain re-checks every rule (a monitor's report, an
   * outage declared or ended, a link to an outage, the mailer's records). A conflict then is not
   * news for the client, only a race between writers (typically replicas), so instead of giving
   * up after `maxAttempts` the executor keeps re-deciding, with jittered, growing, capped pauses
   * ({@link redecideDelayMs}), until the time budget (`redecideBudgetMs`, counted from the
   * command's turn in this process's queue) is used up: then {@link RedecideBudgetExceededError}
   * (503). Leave it off for a person's decision on a state they looked at (a reclassification):
   * there a conflict means the state changed under them, and 409 tells them to look again.
   */
  readonly redecide?: boolean;
}

/** UUID-shaped id derived from a key, so the same request always names its events the same way. */
export const deterministicEventId = (key: string, streamId: string, index: number): string => {
  const hex = createHash('sha256').update(`${key}\u0000${streamId}\u0000${index}`).digest('hex');
  // Version 5-style layout (name-based, SHA hash) so ids look like UUIDs to every store.
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
};

/**
 * The write path shared by every aggregate: load the stream, fold it with the decider, decide,
 * seal the new events into the stream's hash chain, and append with the revision that was read.
 * A concurrent writer makes the append fail; the command then runs again on fresh state, a
 * bounded number of times.
 */
export class CommandExecutor {
  private readonly maxAttempts: number;
  // Commands on one stream run one after the other in this process (a queue per stream id), so
  // they do not race each other: a write waits for the group commit, and two commands that had
  // read the same revision would otherwise both append and all but one would lose. Races with
  // other processes remain, and are what the expected revision and the retries are for.
  private readonly streamQueues = new Map<string, Promise<void>>();

  constructor(
    readonly store: EventStore,
    private readonly options: CommandExecutorOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  private replay<C, S, E extends DomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
    stored: readonly StoredEvent[],
    replayed: readonly StoredEvent[],
    context: CommandContext,
    retries: number,
  ): ExecutionResult<S> {
    const result = replayOf(decider, streamId, stored, replayed, context, retries);
    context.onReplayed?.();
    return result;
  }

  /**
   * Everything checked before an append, without appending: the client's instants lie in the
   * plausible window ({@link ImplausibleInstantError}), the domain decides (a refusal is the
   * `Left`), and every decided event reads back as it was decided ({@link UnstorableEventError}),
   * with the events as they will be read back. An open runs it before it claims a number.
   */
  check<C extends DomainCommand, S, E extends DomainEvent>(
    decider: Decider<C, S, E>,
    command: C,
    state: S,
  ): Either<DomainError, ReturnType<typeof roundTripped>[]> {
    const implausible = implausibleInstants(command.data, this.options.clock().getTime(), this.options.plausibleInstants);
    if (implausible.length > 0) throw new ImplausibleInstantError(implausible);
    const decided = decider.decide(command, state);
    return mapRight((events: readonly DomainEvent[]) => events.map(roundTripped))(decided);
  }

  /** Current state of a stream and what is needed to append after it. */
  async load<C, S, E extends DomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
  ): Promise<{ state: S; stored: readonly StoredEvent[]; last: StoredEvent | undefined }> {
    const stored = await this.store.readStream(streamId);
    return { state: foldStream(decider, stored), stored, last: stored[stored.length - 1] };
  }

  async execute<C extends DomainCommand, S, E extends DomainEvent>(
    decider: Decider<C, S, E>,
    streamId: string,
    /**
     * The command, or a function building it from the current state and the current time. A
     * builder runs again on every retry, so a command that lost a race is dated after the
     * event it lost to instead of being refused as earlier than the stream's last event.
     */
    command: C | ((state: S, now: string, stored: readonly StoredEvent[]) => C | DomainError),
    context: CommandContext,
    options: ExecuteOptions = {},
  ): Promise<ExecutionResult<S>> {
    const before = this.streamQueues.get(streamId);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const queued = before === undefined ? mine : before.then(() => mine);
    this.streamQueues.set(streamId, queued);
    try {
      if (before !== undefined) await before;
      const budgetMs = this.options.redecideBudgetMs ?? DEFAULT_REDECIDE_BUDGET_MS;
      const deadline = performance.now() + budgetMs;
      for (let attempt = 1; ; attempt++) {
        const assumedNew = attempt === 1 && options.newStream === true;
        const { state, stored, last } = assumedNew ? { state: decider.initialState, stored: [], last: undefined } : await this.load(decider, streamId);
        const replayed = context.idempotencyKey === undefined ? undefined : appliedBy(stored, streamId, context.idempotencyKey);
        if (replayed !== undefined) return this.replay(decider, streamId, stored, replayed, context, attempt - 1);
        const built = typeof command === 'function' ? command(state, this.options.clock().toISOString(), stored) : command;
        // Refused on a stream only assumed to be new: decide again on what is really stored.
        if (isDomainError(built)) {
          if (assumedNew) continue;
          throw new DomainRuleViolation(built);
        }
        const decided = this.check(decider, built, state);
        if (decided._tag === 'Left') {
          if (assumedNew) continue;
          throw new DomainRuleViolation(decided.left);
        }
        const checked = decided.right;
        if (checked.length === 0) {
          return { streamId, events: [], state, revision: last?.revision, position: last?.position, retries: attempt - 1, replayed: false };
        }
        const expected: ExpectedRevision = last === undefined ? 'no-stream' : last.revision;
        const firstRevision = last === undefined ? 0n : last.revision + 1n;
        const recordedAt = this.options.clock().toISOString();
        // The answer is folded from the events as they will be read back, so that a replay of
        // them (folded from the log) answers exactly as this first answer does.
        const encoded = checked.map((c) => c.encoded);
        const events = checked.map((c) => c.decoded);
        const unsealed = events.map((event, i): UnsealedEvent => ({
          id: context.idempotencyKey === undefined ? randomUUID() : deterministicEventId(context.idempotencyKey, streamId, i),
          type: event.type,
          data: encoded[i]!.data,
          metadata: {
            correlationId: context.correlationId,
            causationId: context.causationId,
            actorId: context.actorId,
            actorRole: context.actorRole,
            occurredAt: occurredAtOf(event),
            recordedAt,
            schemaVersion: event.schemaVersion,
            ...context.extraMetadata,
            ...(context.idempotencyKey === undefined ? {} : { idempotencyKey: context.idempotencyKey }),
            ...(context.idempotencyKey === undefined || context.idempotencyFingerprint === undefined ? {} : { idempotencyFingerprint: context.idempotencyFingerprint }),
          },
        }));
        const sealed = this.options.seal(streamId, firstRevision, last?.metadata.hash ?? '', unsealed);
        const started = performance.now();
        try {
          const result = await this.store.appendToStream(streamId, sealed, expected);
          this.options.onAppend?.(streamId, performance.now() - started);
          if (context.idempotencyKey !== undefined && result.alreadyStored !== false) {
            // The stores take events whose ids are already at that place as a no-op success: the
            // same keyed request, sent again to another replica while the first was in flight,
            // appended them first. Then the answer is that request's, as any replay of it is.
            // SQLite and memory say whether that happened; EventStoreDB cannot, so it is read back.
            const written = await this.store.readStream(streamId, { fromRevision: firstRevision, maxCount: sealed.length });
            if (written.length === sealed.length && written.some((w, i) => w.metadata.hash !== sealed[i]!.metadata.hash)) {
              return this.replay(decider, streamId, [...stored, ...written], written, context, attempt - 1);
            }
          }
          return {
            streamId,
            events,
            state: events.reduce((s: S, e) => decider.evolve(s, e as E), state),
            revision: result.nextExpectedRevision,
            position: result.position,
            retries: attempt - 1,
            replayed: false,
          };
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          this.options.onConflict?.(streamId);
          let delay: number;
          if (options.redecide === true) {
            delay = this.options.redecideDelayMs?.(attempt) ?? redecideDelayMs(attempt);
            // Pausing past the deadline would only make the 503 later.
            if (performance.now() + delay >= deadline) throw new RedecideBudgetExceededError(streamId, attempt, budgetMs);
          } else {
            if (attempt >= this.maxAttempts) throw new ConcurrencyConflictError(streamId, attempt);
            delay = this.options.retryDelayMs?.(attempt) ?? Math.random() * 2 ** attempt;
          }
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } finally {
      release();
      if (this.streamQueues.get(streamId) === queued) this.streamQueues.delete(streamId);
    }
  }
}

/**
 * The answer to a keyed request whose events are already in the stream (the first answer was
 * lost, or the retry reached a replica that never saw the request): exactly the first answer.
 * The state is the fold of the stream up to and including those events, not the stream as it is
 * now, and the revision and position are those of the last of them. When the first request's
 * fingerprint was stored with its events and differs from this one's, the key was reused for
 * another request: {@link IdempotencyKeyReusedError} (422), as the idempotency cache answers.
 */
export const replayOf = <C, S, E extends DomainEvent>(
  decider: Decider<C, S, E>,
  streamId: string,
  stored: readonly StoredEvent[],
  replayed: readonly StoredEvent[],
  context: Pick<CommandContext, 'idempotencyKey' | 'idempotencyFingerprint'>,
  retries: number,
): ExecutionResult<S> => {
  const first = replayed[0]!;
  const last = replayed[replayed.length - 1]!;
  const storedFingerprint = first.metadata['idempotencyFingerprint'];
  if (typeof storedFingerprint === 'string' && context.idempotencyFingerprint !== undefined && storedFingerprint !== context.idempotencyFingerprint) {
    throw new IdempotencyKeyReusedError(unscopedKey(context.idempotencyKey ?? ''));
  }
  const upTo = stored.findIndex((e) => e.id === last.id);
  return {
    streamId,
    events: replayed.map(toDomainEvent),
    state: foldStream(decider, stored.slice(0, upTo + 1)),
    revision: last.revision,
    position: last.position,
    retries,
    replayed: true,
  };
};

/**
 * The key the client sent, from the scoped key the command carries (`["acme","u-ta","POST
 * /tickets","k-1"]` gives `k-1`, see `scopedIdempotencyKey`); a key the service made itself is
 * returned as it is.
 */
export const unscopedKey = (scoped: string): string => {
  try {
    const parts: unknown = JSON.parse(scoped);
    if (Array.isArray(parts) && parts.length === 4 && typeof parts[3] === 'string') return parts[3];
  } catch {
    // not a scoped key
  }
  return scoped;
};

/** Exported for tests: the events a keyed request already appended to this stream, if any. */
export const appliedBy = (stored: readonly StoredEvent[], streamId: string, idempotencyKey: string): StoredEvent[] | undefined => {
  const ids = new Set<string>();
  for (let i = 0; i < stored.length; i++) ids.add(deterministicEventId(idempotencyKey, streamId, i));
  const mine = stored.filter((e) => ids.has(e.id));
  return mine.length > 0 ? mine : undefined;
};

const isDomainError = (u: unknown): u is DomainError =>
  typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'DomainError';
