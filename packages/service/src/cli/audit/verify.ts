import type { StoredEvent } from '../../event-store/event-store.port';
import { positionText, streamHeadsDigest } from '../../seals/seal';
import type { SealCheckResult, SealSummary } from './seal-check';
import type { AuditRecord, MissingPositions } from './source/audit-source';

/**
 * What is wrong with the log at one place. The hash chains show `altered`, `missing` and
 * `reordered` events; a seal (`audit verify --seal`) also shows events `missing` or `rewritten`
 * since it was made, a log `truncated` before its head, events it does not account for
 * (`unsealed`), and a `seal` in the files that cannot be trusted.
 */
export type FindingKind = 'altered' | 'missing' | 'reordered' | 'rewritten' | 'truncated' | 'unsealed' | 'seal';

/** One problem, named by stream and revision (or by global position when no stream can be named). */
export interface Finding {
  readonly kind: FindingKind;
  /** The stream, or `null` for a hole in the global sequence that no remaining event points at. */
  readonly streamId: string | null;
  /** The revision that is altered, missing or out of order; `null` with a `null` stream. */
  readonly revision: string | null;
  /** Global position where the problem shows (for a missing event: the first position it could have had). */
  readonly position: string;
  readonly detail: string;
}

export interface VerifyResult {
  readonly intact: boolean;
  readonly streams: number;
  readonly events: number;
  /** The first finding in log order (the one to look at first), or `null` when intact. */
  readonly first: Finding | null;
  /** The first finding of every damaged stream, then holes no stream accounts for, in log order. */
  readonly findings: readonly Finding[];
  /**
   * SHA-256 over every stream's id, last revision and last hash (sorted by stream): keep it
   * to show later that nothing was appended, removed or rewritten since.
   */
  readonly digest: string;
  /** With `--seal`: the newest seal held and whether the log up to its head is as sealed. */
  readonly seal?: SealSummary;
}

/** Recomputes an event's hash from its content (the service's hash-chain rule). */
export type HashOf = (event: StoredEvent) => string;

interface StreamWalk {
  nextRevision: bigint;
  lastHash: string;
  /** Global position (commit) of the last event that checked out, 0 before the first. */
  lastPosition: bigint;
  broken: boolean;
  /** After a gap: the missing revisions, in case they turn up later (then they were reordered). */
  gap?: { readonly from: bigint; readonly to: bigint; readonly index: number };
}

interface Located {
  readonly finding: Finding;
  /** Where it shows in the log (commit position), for ordering. */
  readonly at: bigint;
  /** For a missing revision: the position of the event before the gap. */
  readonly after: bigint;
}

/**
 * Walks the whole log once, in global order, and checks every stream's revision sequence
 * (0, 1, 2, … with none missing or out of place), every event's hash against its content, and
 * every `previousHash` against the hash of the event before it. Stores with dense positions
 * also prove that no event between two others (or at the end of the log) was deleted.
 *
 * Only the first problem of each stream is kept: after one, the rest of that stream cannot be
 * judged on its own.
 */
export class LogVerifier {
  private readonly streams = new Map<string, StreamWalk>();
  private readonly streamFindings: Located[] = [];
  private readonly holes: { from: bigint; to: bigint; atEnd: boolean }[] = [];
  private lastPosition: bigint | undefined;
  private events = 0;

  constructor(
    private readonly hashOf: HashOf,
    private readonly densePositions: boolean,
  ) {}

  add(record: AuditRecord): void {
    this.events += 1;
    if (this.densePositions) {
      const expected = this.lastPosition === undefined ? 1n : this.lastPosition + 1n;
      if (record.position.commit > expected) this.holes.push({ from: expected, to: record.position.commit - 1n, atEnd: false });
      this.lastPosition = record.position.commit;
    }
    let walk = this.streams.get(record.streamId);
    if (walk === undefined) {
      walk = { nextRevision: 0n, lastHash: '', lastPosition: 0n, broken: false };
      this.streams.set(record.streamId, walk);
    }
    if (walk.broken) {
      this.lateArrival(walk, record);
      return;
    }
    const finding = this.check(walk, record);
    if (finding !== undefined) {
      walk.broken = true;
      this.streamFindings.push({ finding, at: record.position.commit, after: walk.lastPosition });
      if (finding.kind === 'missing') walk.gap = { from: walk.nextRevision, to: record.revision - 1n, index: this.streamFindings.length - 1 };
    }
  }

  /** Holes at the end of the log, which no later event can reveal (dense stores only). */
  addMissingTail(tail: MissingPositions | undefined): void {
    if (tail !== undefined) this.holes.push({ from: tail.from, to: tail.to, atEnd: true });
  }

  /** The findings in log order; with a seal check, its findings among them. */
  result(seal?: SealCheckResult): VerifyResult {
    const sealFindings = seal?.findings ?? [];
    // Where a seal names the same problem as a chain (a seal missing from its own stream), its words say more.
    const sameAsSeal = (f: Finding): boolean => sealFindings.some((s) => s.finding.kind === f.kind && s.finding.streamId === f.streamId && s.finding.revision === f.revision);
    const located = [...this.streamFindings.filter((l) => !sameAsSeal(l.finding)), ...sealFindings.map((f) => ({ finding: f.finding, at: f.at, after: f.at }))];
    // A hole that lies inside a stream's missing revisions is already named by stream and revision
    // (by the chain, or by a seal that recorded the event once at a position in the hole).
    for (const hole of this.holes) {
      const named =
        this.streamFindings.some((f) => f.finding.kind === 'missing' && f.after < hole.from && f.at > hole.to) ||
        sealFindings.some((f) => (f.finding.kind === 'missing' || f.finding.kind === 'truncated') && f.at >= hole.from && f.at <= hole.to);
      if (named) continue;
      const count = hole.to - hole.from + 1n;
      located.push({
        at: hole.from,
        after: hole.from,
        finding: {
        kind: 'missing',
        streamId: null,
        revision: null,
        position: hole.from.toString(),
        detail:
          `${count === 1n ? 'the event at global position' : `${count.toString()} events at global positions`} ` +
          `${hole.from.toString()}${count === 1n ? '' : `–${hole.to.toString()}`} ${count === 1n ? 'was' : 'were'} deleted` +
          (hole.atEnd ? ' from the end of the log' : ''),
        },
      });
    }
    located.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const findings = located.map((l) => l.finding);
    return {
      intact: findings.length === 0,
      streams: this.streams.size,
      events: this.events,
      first: findings[0] ?? null,
      findings,
      digest: this.digest(),
      ...(seal === undefined ? {} : { seal: seal.summary }),
    };
  }

  /** A revision reported missing that shows up later in the log was moved, not deleted. */
  private lateArrival(walk: StreamWalk, record: AuditRecord): void {
    const gap = walk.gap;
    if (gap === undefined || record.revision < gap.from || record.revision > gap.to) return;
    walk.gap = undefined;
    const located = this.streamFindings[gap.index]!;
    this.streamFindings[gap.index] = {
      ...located,
      after: located.at,
      finding: {
        ...located.finding,
        kind: 'reordered',
        revision: gap.from.toString(),
        detail: `revision ${gap.from.toString()} is stored after later revisions (at global position ${positionText(record.position)})`,
      },
    };
  }

  private check(walk: StreamWalk, record: AuditRecord): Finding | undefined {
    const at = (kind: FindingKind, revision: bigint, detail: string): Finding => ({
      kind,
      streamId: record.streamId,
      revision: revision.toString(),
      position: positionText(record.position),
      detail,
    });
    if (record.revision > walk.nextRevision) {
      const gap = record.revision - walk.nextRevision;
      return at(
        'missing',
        walk.nextRevision,
        gap === 1n
          ? `revision ${walk.nextRevision.toString()} is missing (the stream goes on at revision ${record.revision.toString()})`
          : `revisions ${walk.nextRevision.toString()}–${(record.revision - 1n).toString()} are missing (the stream goes on at revision ${record.revision.toString()})`,
      );
    }
    if (record.revision < walk.nextRevision) {
      return at('reordered', record.revision, `revision ${record.revision.toString()} appears after revision ${(walk.nextRevision - 1n).toString()}`);
    }
    const event = record.event;
    if (event === undefined) return at('altered', record.revision, `${record.problem ?? 'it cannot be read'}`);
    const metadata = event.metadata as Partial<StoredEvent['metadata']>;
    if (typeof metadata.hash !== 'string' || typeof metadata.previousHash !== 'string') {
      return at('altered', record.revision, 'it carries no hash chain (previousHash/hash metadata missing)');
    }
    let recomputed: string;
    try {
      recomputed = this.hashOf(event);
    } catch (error) {
      return at('altered', record.revision, `its hash cannot be recomputed: ${(error as Error).message}`);
    }
    if (recomputed !== metadata.hash) return at('altered', record.revision, 'its content does not match its stored hash');
    if (metadata.previousHash !== walk.lastHash) {
      return at(
        'altered',
        record.revision,
        record.revision === 0n
          ? 'the first event of the stream names a previous hash'
          : `its previousHash does not match the hash of revision ${(record.revision - 1n).toString()}`,
      );
    }
    walk.nextRevision += 1n;
    walk.lastHash = metadata.hash;
    walk.lastPosition = record.position.commit;
    return undefined;
  }

  /** The same digest a seal records (`streamHeadsDigest`), over the last event of each stream that checked out. */
  private digest(): string {
    return streamHeadsDigest([...this.streams].map(([streamId, walk]) => [streamId, { revision: walk.nextRevision - 1n, hash: walk.lastHash }] as const));
  }
}
