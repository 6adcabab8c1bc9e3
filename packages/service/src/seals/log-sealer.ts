import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  WrongExpectedRevisionError,
  type EventStore,
  type GlobalPosition,
  type StoredEvent,
} from '../event-store/event-store.port';
import { NOTIFICATIONS_LEASE_STREAM } from '../event-store/streams';
import { canonicalJson, sealSystemEvent, type ChainEnd } from '../hash-chain';
import {
  checkSignature,
  decodeSeal,
  parsePositionText,
  positionText,
  SEAL_EVENT_TYPE,
  SEAL_FORMAT,
  SEAL_STREAM,
  sealId,
  signSeal,
  streamHeadsDigest,
  type Seal,
  type SealBody,
} from './seal';
import type { SealKey } from './seal-key';
import type { SealSink } from './seal-sinks';

/**
 * Stream heads in one seal at most. A seal is one event: with 4,000 heads it stays under about
 * 600 kB, well inside EventStoreDB's 1 MB append limit; more changed streams give several seals
 * in a row (each at the position where its share ends).
 */
export const DEFAULT_MAX_STREAMS_PER_SEAL = 4_000;

/** Who a seal is recorded as made by (metadata of its event). */
export interface SealActor {
  readonly id: string;
  readonly role: string;
}

/** The periodic sealer's actor. */
export const SEALER_ACTOR: SealActor = { id: 'system:sealer', role: 'system' };

export interface SealRequest {
  /**
   * Seal even if nothing but earlier seals was appended since the last seal (on demand). The
   * periodic sealer does not force, so an idle log does not collect a seal an hour.
   */
  readonly force?: boolean;
  readonly actor?: SealActor;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/** One seal made, where it is in the log, and what became of each copy outside it. */
export interface MadeSeal {
  readonly seal: Seal;
  /** Global position of the seal's own event in the log. */
  readonly position: GlobalPosition;
  /** Per sink: `written`, or why not. */
  readonly sinks: Readonly<Record<string, string>>;
}

export interface LogSealerOptions {
  readonly store: Pick<EventStore, 'readAll' | 'readStream' | 'appendToStream' | 'headPosition'>;
  /** Resolved on the first seal (a development key file is only created when needed). */
  readonly key: () => SealKey;
  readonly clock: () => Date;
  /** Where each seal is copied after it is in the log, in this order (file, standard output, webhook). */
  readonly sinks?: readonly SealSink[];
  /** A copy failed; the seal is in the log and in the other sinks. */
  readonly onSinkError?: (sink: string, seal: Seal, error: Error) => void;
  readonly maxStreamsPerSeal?: number;
  readonly pageSize?: number;
  /** Attempts when another process appends a seal at the same time (default 5). */
  readonly maxAttempts?: number;
}

interface Head {
  readonly revision: bigint;
  readonly hash: string;
  readonly position: GlobalPosition;
}

/**
 * Seals the log: reads it in global order, keeps every stream's last event in memory, and on
 * each {@link seal} appends a signed seal (head position, counts, the digest of every stream's
 * last hash, and the heads that changed since the previous seal) to the `seals` stream, then
 * copies it to the sinks. The first seal in a process reads the whole log; later ones read only
 * what was appended since. Seals chain through the log's `seals` stream, so several replicas on
 * one store seal one chain: whoever loses the append race reads the winner's seal and seals after it.
 */
export class LogSealer {
  private readonly heads = new Map<string, Head>();
  private readTo: GlobalPosition | undefined;
  private events = 0;
  private lastEvent: { readonly streamId: string; readonly revision: bigint; readonly hash: string } | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly maxStreams: number;
  private readonly pageSize: number;

  constructor(private readonly options: LogSealerOptions) {
    this.maxStreams = options.maxStreamsPerSeal ?? DEFAULT_MAX_STREAMS_PER_SEAL;
    this.pageSize = options.pageSize ?? 1_000;
  }

  /**
   * Seals everything appended up to now. Returns the seals made: none when nothing but seals
   * was appended since the last one and the request does not force; several when more than
   * {@link DEFAULT_MAX_STREAMS_PER_SEAL} streams changed. Calls run one after the other.
   */
  seal(request: SealRequest = {}): Promise<readonly MadeSeal[]> {
    const next = this.running.then(() => this.sealNow(request));
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Waits for a seal in progress (for shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async sealNow(request: SealRequest): Promise<readonly MadeSeal[]> {
    const made: MadeSeal[] = [];
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sealRound(request, made);
        return made;
      } catch (error) {
        // Another process sealed first: seal after its seal.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      }
    }
  }

  private async sealRound(request: SealRequest, made: MadeSeal[]): Promise<void> {
    const { store } = this.options;
    const lastSealEvent = (await store.readStream(SEAL_STREAM, { direction: 'backwards', maxCount: 1 }))[0];
    let previous: Seal | undefined;
    if (lastSealEvent !== undefined) {
      try {
        previous = decodeSeal(lastSealEvent.data);
      } catch (error) {
        throw new Error(`cannot seal after ${SEAL_STREAM} revision ${lastSealEvent.revision.toString()}: ${(error as Error).message}`);
      }
    }
    let end: ChainEnd | undefined = lastSealEvent === undefined ? undefined : { revision: lastSealEvent.revision, hash: lastSealEvent.metadata.hash };
    const head = await store.headPosition();
    let base = previous?.headPosition == null ? undefined : parsePositionText(previous.headPosition);

    // The heads are kept from earlier seals. If they already run past the previous seal (another
    // process sealed an older position), the streams changed since it are those whose last event
    // lies after it; too many for one seal, and the log is read again to split them.
    if (this.readTo !== undefined && (base === undefined || comparePositions(this.readTo, base) > 0) && this.changedSince(base).size > this.maxStreams) {
      this.reset();
    }
    if (base !== undefined && (this.readTo === undefined || comparePositions(this.readTo, base) < 0)) await this.readUntil(base);
    const changed = this.changedSince(base);

    const emit = async (): Promise<void> => {
      const key = this.options.key();
      const sequence = end === undefined ? 0n : end.revision + 1n;
      const sealedAt = this.options.clock().toISOString();
      const body: SealBody = {
        format: SEAL_FORMAT,
        sequence: Number(sequence),
        previous: previous === undefined ? null : sealId(previous),
        sealedAt,
        headPosition: this.readTo === undefined ? null : positionText(this.readTo),
        head: this.lastEvent === undefined ? null : { streamId: this.lastEvent.streamId, revision: this.lastEvent.revision.toString(), hash: this.lastEvent.hash },
        streams: this.heads.size,
        events: this.events,
        digest: streamHeadsDigest(this.heads),
        changed: Object.fromEntries(
          [...changed].sort().map((streamId) => {
            const h = this.heads.get(streamId)!;
            return [streamId, { revision: h.revision.toString(), hash: h.hash, position: positionText(h.position) }];
          }),
        ),
        keyId: key.keyId,
        publicKey: key.publicKey,
      };
      const seal = signSeal(body, key.privateKey);
      // Nothing is stored that cannot be read back: the seal as the auditor will read it.
      const readBack = decodeSeal(JSON.parse(JSON.stringify(seal)) as unknown);
      const problem = checkSignature(readBack);
      if (canonicalJson(readBack) !== canonicalJson(seal) || problem !== undefined) throw new Error(`a seal would not read back: ${problem ?? 'it changes in JSON'}`);

      const actor = request.actor ?? SEALER_ACTOR;
      const { event, expected } = sealSystemEvent(SEAL_STREAM, end, {
        type: SEAL_EVENT_TYPE,
        data: seal,
        actor,
        correlationId: request.correlationId ?? randomUUID(),
        causationId: request.causationId ?? 'seal',
        occurredAt: sealedAt,
        recordedAt: this.options.clock().toISOString(),
      });
      const appended = await store.appendToStream(SEAL_STREAM, [event], expected);
      end = { revision: appended.nextExpectedRevision, hash: event.metadata.hash };
      previous = seal;
      base = this.readTo;
      changed.clear();
      made.push({ seal, position: appended.position, sinks: await this.copy(seal) });
    };

    if (head !== undefined) {
      await this.readUntil(head, async (e) => {
        // A seal is full: seal what was read before this event, which starts the next one.
        if (!changed.has(e.streamId) && changed.size >= this.maxStreams) await emit();
      }, (e) => changed.add(e.streamId));
    }
    // Seals and the lease's renewals alone leave the log idle: no periodic seal for them (they are
    // sealed with the next change of the desk's streams, or by a forced seal).
    const idle = [...changed].every((s) => s === SEAL_STREAM || s === NOTIFICATIONS_LEASE_STREAM);
    if (changed.size === 0 ? request.force === true && made.length === 0 : request.force === true || !idle) await emit();
  }

  /** Streams whose last event lies after `base` (all of them when there is no base). */
  private changedSince(base: GlobalPosition | undefined): Set<string> {
    const changed = new Set<string>();
    for (const [streamId, h] of this.heads) if (base === undefined || comparePositions(h.position, base) > 0) changed.add(streamId);
    return changed;
  }

  private reset(): void {
    this.heads.clear();
    this.readTo = undefined;
    this.events = 0;
    this.lastEvent = undefined;
  }

  /** Reads the log after what was read so far, up to and including `limit`; `before` runs before each event is taken in, `after` after. */
  private async readUntil(limit: GlobalPosition, before?: (event: StoredEvent) => Promise<void>, after?: (event: StoredEvent) => void): Promise<void> {
    for (;;) {
      const page = await this.options.store.readAll({ ...(this.readTo === undefined ? {} : { after: this.readTo }), maxCount: this.pageSize });
      for (const event of page) {
        if (comparePositions(event.position, limit) > 0) return;
        await before?.(event);
        this.apply(event);
        after?.(event);
      }
      if (page.length < this.pageSize) return;
    }
  }

  private apply(event: StoredEvent): void {
    const hash = event.metadata?.hash;
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new Error(`cannot seal: ${event.streamId} revision ${event.revision.toString()} carries no hash (run support-sla audit verify)`);
    }
    this.heads.set(event.streamId, { revision: event.revision, hash, position: event.position });
    this.readTo = event.position;
    this.events += 1;
    this.lastEvent = { streamId: event.streamId, revision: event.revision, hash };
  }

  private async copy(seal: Seal): Promise<Record<string, string>> {
    const outcome: Record<string, string> = {};
    for (const sink of this.options.sinks ?? []) {
      try {
        await sink.write(seal);
        outcome[sink.name] = 'written';
      } catch (error) {
        outcome[sink.name] = (error as Error).message;
        this.options.onSinkError?.(sink.name, seal, error as Error);
      }
    }
    return outcome;
  }
}
