import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { comparePositions, type GlobalPosition } from '../../event-store/event-store.port';
import {
  checkSignature,
  decodeSeal,
  keyIdOf,
  parsePositionText,
  positionText,
  publicKeyText,
  SEAL_EVENT_TYPE,
  SEAL_FORMAT,
  SEAL_STREAM,
  sealId,
  streamHeadsDigest,
  type Seal,
} from '../../seals/seal';
import { AuditUsageError } from './errors';
import type { AuditRecord } from './source/audit-source';
import type { Finding } from './verify';

/** A seal the auditor holds, and where it was read. */
export interface HeldSeal {
  readonly seal: Seal;
  /** `file:line`, or `log seals revision n`. */
  readonly origin: string;
}

/** The seals read from `--seal` files, checked against their signatures and the trusted keys. */
export interface SealEvidence {
  /** Seals whose signature holds, by a trusted key, in file order (a seal in several files once). */
  readonly seals: readonly HeldSeal[];
  /** Seals in the files that cannot be trusted (changed after signing, another key, not readable). */
  readonly problems: readonly Finding[];
  /** Public keys (base64 DER) whose seals are trusted: `--seal-public-key`, else the keys of the valid seals in the files. */
  readonly trustedKeys: ReadonlySet<string>;
  /** Keys were given with `--seal-public-key`. */
  readonly pinned: boolean;
}

/** What `audit verify --seal` adds to its result. */
export interface SealSummary {
  /** The newest seal in the files: the log is checked up to its head position. */
  readonly sequence: number;
  readonly sealId: string;
  readonly sealedAt: string;
  readonly headPosition: string | null;
  readonly keyIds: readonly string[];
  readonly keysPinned: boolean;
  /** Seals whose statements were checked against the log (from the files and, signed by a trusted key, from the log). */
  readonly sealsChecked: number;
  /** Every seal from the first to this one was found, so every stream head it implies is known. */
  readonly chainComplete: boolean;
  /** The seal's digest, and the log's own at the seal's head position. */
  readonly digest: string;
  readonly digestAtHead: string;
  readonly streamsAtHead: number;
  readonly eventsAtHead: number;
  /** Nothing up to the seal's head position was removed or rewritten. */
  readonly proven: boolean;
}

/** A seal finding and where it shows in the log (commit position), for ordering. */
export interface LocatedSealFinding {
  readonly finding: Finding;
  readonly at: bigint;
}

export interface SealCheckResult {
  readonly summary: SealSummary;
  readonly findings: readonly LocatedSealFinding[];
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** The commit part of a position text, for ordering findings in the log. */
const atOf = (position: string): bigint => BigInt(position.split('/')[0]!);

const sealProblem = (seal: Seal | undefined, detail: string): Finding => ({ kind: 'seal', streamId: null, revision: null, position: seal?.headPosition ?? '0', detail });

const located = (kind: Finding['kind'], streamId: string | null, revision: bigint | null, position: string, detail: string): LocatedSealFinding => ({
  finding: { kind, streamId, revision: revision === null ? null : revision.toString(), position, detail },
  at: atOf(position),
});

/** A `--seal-public-key` value: a PEM file, or the base64 DER (SPKI) text a seal carries. */
export function readPublicKeyOption(value: string, cwd: string): string {
  const file = resolve(cwd, value);
  let text = value;
  if (existsSync(file) && statSync(file).isFile()) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new AuditUsageError(`cannot read --seal-public-key file ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  let key;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new AuditUsageError(`--seal-public-key ${value} is neither a PEM public key file nor a base64 (DER, SPKI) public key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditUsageError(`--seal-public-key ${value} is an ${key.asymmetricKeyType ?? 'unknown'} key; seals are signed with Ed25519`);
  return publicKeyText(key);
}

/** The seal a line holds: a seal itself (the seal file), or `{"event":"log-sealed","seal":{…}}` (the service's standard output). */
const candidateOf = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if ('format' in record) return record;
  return typeof record['seal'] === 'object' && record['seal'] !== null ? record['seal'] : undefined;
};

/**
 * Reads the seal files (JSON lines; lines of a saved service log that hold no seal are skipped),
 * checks each seal's signature, and keeps those signed by a trusted key. A file that cannot be
 * read, or that holds no seal at all, is a usage error (the command cannot prove anything).
 */
export function readSealEvidence(files: readonly string[], publicKeys: readonly string[], cwd: string): SealEvidence {
  const pinnedKeys = publicKeys.map((k) => readPublicKeyOption(k, cwd));
  const problems: Finding[] = [];
  const valid: HeldSeal[] = [];
  const seen = new Set<string>();
  let found = 0;
  for (const name of files) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, name), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AuditUsageError(code === 'ENOENT' ? `no such seal file: ${name}` : `cannot read seal file ${name}: ${code ?? (error as Error).message}`);
    }
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      const origin = `${name}:${i + 1}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line) as unknown;
      } catch {
        if (line.includes(SEAL_FORMAT)) {
          found += 1;
          problems.push(sealProblem(undefined, `the seal at ${origin} is not valid JSON (the line was cut or changed)`));
        }
        continue;
      }
      const candidate = candidateOf(parsed);
      if (candidate === undefined) continue;
      found += 1;
      let seal: Seal;
      try {
        seal = decodeSeal(candidate);
      } catch (error) {
        problems.push(sealProblem(undefined, `the line at ${origin} is ${(error as Error).message}`));
        continue;
      }
      const id = sealId(seal);
      if (seen.has(id)) continue;
      seen.add(id);
      const bad = checkSignature(seal);
      if (bad !== undefined) {
        problems.push(sealProblem(seal, `seal #${seal.sequence} at ${origin} cannot be trusted: ${bad}`));
        continue;
      }
      if (pinnedKeys.length > 0 && !pinnedKeys.includes(seal.publicKey)) {
        problems.push(sealProblem(seal, `seal #${seal.sequence} at ${origin} is signed by key ${seal.keyId}, not by a key given with --seal-public-key (${pinnedKeys.map(keyIdOf).join(', ')})`));
        continue;
      }
      valid.push({ seal, origin });
    }
  }
  if (found === 0) throw new AuditUsageError(`no seal in ${files.join(', ')} (expected JSON lines written by the service's sealer, format ${SEAL_FORMAT})`);
  const trustedKeys = new Set(pinnedKeys.length > 0 ? pinnedKeys : valid.map((h) => h.seal.publicKey));
  return { seals: valid, problems, trustedKeys, pinned: pinnedKeys.length > 0 };
}

/** One statement of a seal: the stream's last event at the time was this revision, with this hash, at this position. */
interface SealedPoint {
  readonly streamId: string;
  readonly revision: bigint;
  readonly hash: string;
  readonly position: GlobalPosition;
  readonly sequence: number;
}

interface LogHead {
  revision: bigint;
  hash: string;
}

/**
 * Checks the log against the seals the auditor holds, fed the same records as the
 * {@link LogVerifier} in one pass:
 *
 * - every stream head a seal records must still be in the log, at its revision, with its hash
 *   and at its position: a deleted newest event is **missing**, one re-written with fresh
 *   hashes is **rewritten** (named by stream and revision);
 * - the log must still reach the newest seal's head position (**truncated** otherwise, naming
 *   the event the seal ends with), and every seal must still be in the `seals` stream;
 * - with the whole chain of seals at hand, nothing at or before the head may be **unsealed**
 *   (events the seals do not account for), and the digest of the stream heads there must be the seal's.
 */
export class SealCheck {
  /** The newest trusted seal in the files, or undefined when none can be trusted. */
  private readonly target: HeldSeal | undefined;
  private readonly targetHead: GlobalPosition | undefined;
  private readonly points = new Map<string, SealedPoint[]>();
  private readonly found = new Map<string, { hash: string | undefined; position: GlobalPosition }>();
  private readonly logHeads = new Map<string, LogHead>();
  /** Last revision of each stream anywhere in the log (a missing head may sit after a gap). */
  private readonly lastRevision = new Map<string, bigint>();
  /** Every stream's last revision as the chain of seals implies it at the target (only with the whole chain). */
  private readonly impliedHeads: Map<string, { revision: bigint; sequence: number }> | undefined;
  private readonly chainComplete: boolean;
  private readonly findings: LocatedSealFinding[] = [];
  private readonly checked: number;
  private eventsAtHead = 0;
  private maxPosition: GlobalPosition | undefined;

  constructor(
    private readonly evidence: SealEvidence,
    logSeals: readonly AuditRecord[],
  ) {
    for (const problem of evidence.problems) this.findings.push({ finding: problem, at: atOf(problem.position) });
    const fileSeals = evidence.seals;
    const target = fileSeals.length === 0 ? undefined : fileSeals.reduce((a, b) => (b.seal.sequence > a.seal.sequence ? b : a));
    this.target = target;
    this.targetHead = target?.seal.headPosition == null ? undefined : parsePositionText(target.seal.headPosition);
    if (target === undefined) {
      // Nothing in the files can be trusted: the problems say why.
      this.checked = 0;
      this.impliedHeads = undefined;
      this.chainComplete = false;
      return;
    }

    // Seals in the log count where they are signed by a trusted key: they fill gaps in the files
    // (another replica's seals, a copy that failed), and whatever they state is as good as a file's.
    const byId = new Map<string, HeldSeal>();
    const logByRevision = new Map<bigint, { id: string | undefined }>();
    for (const record of logSeals) {
      let id: string | undefined;
      if (record.event?.type === SEAL_EVENT_TYPE) {
        try {
          const seal = decodeSeal(record.event.data);
          id = sealId(seal);
          if (checkSignature(seal) === undefined && evidence.trustedKeys.has(seal.publicKey)) byId.set(id, { seal, origin: `log ${SEAL_STREAM} revision ${record.revision.toString()}` });
        } catch {
          id = undefined;
        }
      }
      logByRevision.set(record.revision, { id });
    }
    for (const held of fileSeals) byId.set(sealId(held.seal), held);

    // Every seal in the files must still be in the log, where it was appended.
    for (const held of fileSeals) {
      const stored = logByRevision.get(BigInt(held.seal.sequence));
      if (stored !== undefined && stored.id === sealId(held.seal)) continue;
      this.note(
        stored === undefined ? 'missing' : 'rewritten',
        SEAL_STREAM,
        BigInt(held.seal.sequence),
        held.seal.headPosition ?? '0',
        stored === undefined
          ? `seal #${held.seal.sequence} (${held.origin}) is no longer in the log's ${SEAL_STREAM} stream`
          : `the log's ${SEAL_STREAM} stream holds another event than seal #${held.seal.sequence} (${held.origin}) at its revision`,
      );
    }

    // The chain from the newest seal back to the first gives every stream head at the newest.
    let chainComplete = true;
    const chain: Seal[] = [];
    let current: Seal | undefined = target.seal;
    while (current !== undefined) {
      chain.push(current);
      if (current.previous === null) break;
      const before: HeldSeal | undefined = byId.get(current.previous);
      if (before === undefined || before.seal.sequence !== current.sequence - 1) {
        chainComplete = false;
        this.note(
          'missing',
          SEAL_STREAM,
          BigInt(current.sequence - 1),
          current.headPosition ?? '0',
          `seal #${current.sequence - 1}, which seal #${current.sequence} follows, is neither in the seal files nor, signed by a trusted key, in the log`,
        );
        break;
      }
      current = before.seal;
    }
    this.chainComplete = chainComplete && chain[chain.length - 1]?.sequence === 0;
    // Oldest seal first, so each stream ends with the newest head the chain records for it.
    this.impliedHeads = !this.chainComplete
      ? undefined
      : new Map([...chain].reverse().flatMap((seal) => Object.entries(seal.changed).map(([streamId, head]) => [streamId, { revision: BigInt(head.revision), sequence: seal.sequence }] as const)));

    // What every trusted seal states about stream heads (the chain's and any other file seal's).
    const statements = new Map<string, Seal>();
    for (const seal of chain) statements.set(sealId(seal), seal);
    for (const held of fileSeals) statements.set(sealId(held.seal), held.seal);
    for (const seal of statements.values()) {
      for (const [streamId, head] of Object.entries(seal.changed)) {
        const point: SealedPoint = { streamId, revision: BigInt(head.revision), hash: head.hash, position: parsePositionText(head.position), sequence: seal.sequence };
        const list = this.points.get(streamId);
        if (list === undefined) this.points.set(streamId, [point]);
        else list.push(point);
      }
    }
    for (const list of this.points.values()) list.sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : a.sequence - b.sequence));
    this.checked = statements.size;
  }

  private note(...args: Parameters<typeof located>): void {
    this.findings.push(located(...args));
  }

  /** One record of the log, in global order. */
  add(record: AuditRecord): void {
    const hash = record.event?.metadata.hash;
    const key = `${record.streamId}\u0000${record.revision.toString()}`;
    if (!this.found.has(key)) this.found.set(key, { hash: typeof hash === 'string' ? hash : undefined, position: record.position });
    const last = this.lastRevision.get(record.streamId);
    if (last === undefined || record.revision > last) this.lastRevision.set(record.streamId, record.revision);
    if (this.maxPosition === undefined || comparePositions(record.position, this.maxPosition) > 0) this.maxPosition = record.position;
    if (this.targetHead !== undefined && comparePositions(record.position, this.targetHead) <= 0) {
      this.eventsAtHead += 1;
      this.logHeads.set(record.streamId, { revision: record.revision, hash: typeof hash === 'string' ? hash : '' });
    }
  }

  result(): SealCheckResult {
    const seal = this.target?.seal;
    if (seal === undefined) {
      return {
        summary: {
          sequence: -1,
          sealId: '',
          sealedAt: '',
          headPosition: null,
          keyIds: [],
          keysPinned: this.evidence.pinned,
          sealsChecked: 0,
          chainComplete: false,
          digest: '',
          digestAtHead: '',
          streamsAtHead: 0,
          eventsAtHead: 0,
          proven: false,
        },
        findings: [...this.findings],
      };
    }
    // The tail first, then each stream's first problem, then the seals' own: at one position the
    // cut-off log is what to look at first.
    const tail: LocatedSealFinding[] = [];
    const streams: LocatedSealFinding[] = [];
    const namedStreams = new Set(this.findings.map((f) => f.finding.streamId));
    const push = (...args: Parameters<typeof located>): void => {
      streams.push(located(...args));
      namedStreams.add(args[1]);
    };
    const named = (streamId: string): boolean => namedStreams.has(streamId);

    // Each stream's first sealed head that no longer holds.
    for (const [streamId, list] of this.points) {
      if (named(streamId)) continue;
      let matched: SealedPoint | undefined;
      for (const point of list) {
        const at = this.found.get(`${streamId}\u0000${point.revision.toString()}`);
        const sealedAt = positionText(point.position);
        if (at === undefined) {
          const last = this.lastRevision.get(streamId);
          const from = last === undefined || last >= point.revision ? point.revision : last + 1n;
          const gone = from === point.revision ? `revision ${point.revision.toString()} is` : `revisions ${from.toString()}–${point.revision.toString()} are`;
          push(
            'missing',
            streamId,
            from,
            sealedAt,
            `${gone} gone: seal #${point.sequence} recorded revision ${point.revision.toString()} (hash ${short(point.hash)}) as the stream's last event, at global position ${sealedAt}`,
          );
          break;
        }
        if (at.hash !== point.hash) {
          const since = matched === undefined ? '' : ` (revision ${matched.revision.toString()} still matches seal #${matched.sequence}, so the rewrite begins after it)`;
          push(
            'rewritten',
            streamId,
            point.revision,
            positionText(at.position),
            `its hash ${at.hash === undefined ? '(none)' : short(at.hash)} is not the ${short(point.hash)} seal #${point.sequence} recorded: the stream was rewritten at or before this revision${since}`,
          );
          break;
        }
        if (comparePositions(at.position, point.position) !== 0) {
          push(
            'rewritten',
            streamId,
            point.revision,
            positionText(at.position),
            `it is stored at global position ${positionText(at.position)}, but seal #${point.sequence} recorded it at ${sealedAt} (events before it were removed and the log renumbered)`,
          );
          break;
        }
        matched = point;
      }
    }

    const head = this.targetHead;
    const headText = seal.headPosition ?? '0';
    if (head !== undefined && seal.head !== null && (this.maxPosition === undefined || comparePositions(this.maxPosition, head) < 0)) {
      const end = this.maxPosition === undefined ? '0 (it is empty)' : positionText(this.maxPosition);
      tail.push(
        located(
          'truncated',
          seal.head.streamId,
          BigInt(seal.head.revision),
          headText,
          `the log ends at global position ${end}, but seal #${seal.sequence} covers it up to ${headText}, whose event is stream ${seal.head.streamId} revision ${seal.head.revision}: the tail of the log was cut off`,
        ),
      );
    }

    // With every seal from the first, the seals account for every event up to the head.
    if (this.impliedHeads !== undefined) {
      for (const [streamId, logHead] of this.logHeads) {
        if (named(streamId)) continue;
        const sealed = this.impliedHeads.get(streamId);
        if (sealed === undefined || logHead.revision > sealed.revision) {
          const first = sealed === undefined ? 0n : sealed.revision + 1n;
          push(
            'unsealed',
            streamId,
            first,
            headText,
            sealed === undefined
              ? `the stream has events at or before global position ${headText}, but no seal up to seal #${seal.sequence} knows the stream (they were inserted later)`
              : `revision ${first.toString()} lies at or before global position ${headText}, but seal #${sealed.sequence} recorded revision ${sealed.revision.toString()} as the stream's last (it was inserted later)`,
          );
        }
      }
    }

    const findings = [...tail, ...streams, ...this.findings];
    const digestAtHead = streamHeadsDigest(this.logHeads);
    if (findings.length === 0 && (digestAtHead !== seal.digest || this.eventsAtHead !== seal.events || this.logHeads.size !== seal.streams)) {
      findings.push(
        located(
          'rewritten',
          null,
          null,
          headText,
          `up to global position ${headText} the log has ${this.eventsAtHead} events in ${this.logHeads.size} streams with digest ${short(digestAtHead)}, but seal #${seal.sequence} recorded ${seal.events} events in ${seal.streams} streams with digest ${short(seal.digest)}`,
        ),
      );
    }
    const keyIds = [...new Set(this.evidence.seals.map((h) => h.seal.keyId))];
    return {
      summary: {
        sequence: seal.sequence,
        sealId: sealId(seal),
        sealedAt: seal.sealedAt,
        headPosition: seal.headPosition,
        keyIds,
        keysPinned: this.evidence.pinned,
        sealsChecked: this.checked,
        chainComplete: this.chainComplete,
        digest: seal.digest,
        digestAtHead,
        streamsAtHead: this.logHeads.size,
        eventsAtHead: this.eventsAtHead,
        proven: findings.length === 0,
      },
      findings,
    };
  }
}
