import { createHash, createPublicKey, sign as signBytes, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { isLeft } from 'fp-ts/Either';
import * as t from 'io-ts';
import type { GlobalPosition } from '../event-store/event-store.port';
import { canonicalJson } from '../hash-chain';

/**
 * A seal: a signed statement that the log, up to `headPosition`, held exactly these stream
 * heads. The pure part (shape, signature, digest), shared by the service that writes seals and
 * the `audit verify --seal` command that checks them; nothing here reads a clock or a file, and
 * nothing loads NestJS (the auditor's command line must stay light).
 */

/** The stream seals are appended to. Outside `STREAM_PREFIXES`, so no read model or e-mail reactor reads it. */
export const SEAL_STREAM = 'seals';
/** The event type of a seal in {@link SEAL_STREAM}; its data is the whole signed {@link Seal}. */
export const SEAL_EVENT_TYPE = 'LogSealed';
/** The format tag every seal carries (and the marker `--seal` looks for in a line). */
export const SEAL_FORMAT = 'support-sla-seal/1';

const Hex64 = t.refinement(t.string, (s) => /^[0-9a-f]{64}$/.test(s), 'Hex64');
/** A stream revision as text (it can exceed 2^53). */
export const Revision = t.refinement(t.string, (s) => /^(0|[1-9][0-9]*)$/.test(s), 'Revision');
/** A position in the global log as text: `commit/prepare` (or one number when both are equal). */
export const PositionText = t.refinement(t.string, (s) => /^(0|[1-9][0-9]*)(\/(0|[1-9][0-9]*))?$/.test(s), 'PositionText');
const Count = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Count');
const Base64 = t.refinement(t.string, (s) => s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s), 'Base64');
const Instant = t.refinement(t.string, (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)), 'Instant');

/** A stream's last event as a seal records it. */
export const SealedHead = t.strict({ revision: Revision, hash: Hex64, position: PositionText });
export type SealedHead = t.TypeOf<typeof SealedHead>;

const SealFields = {
  format: t.literal(SEAL_FORMAT),
  /** The seal's revision in {@link SEAL_STREAM}: 0, 1, 2, … */
  sequence: Count,
  /** {@link sealId} of the seal before it in the stream, `null` for the first. */
  previous: t.union([Hex64, t.null]),
  sealedAt: Instant,
  /** Global position of the last event sealed (`commit` or `commit/prepare`); `null` for an empty log. */
  headPosition: t.union([PositionText, t.null]),
  /** The event at `headPosition`, so a log cut short names what it lost. */
  head: t.union([t.strict({ streamId: t.string, revision: Revision, hash: Hex64 }), t.null]),
  /** Streams and events in the log up to `headPosition`. */
  streams: Count,
  events: Count,
  /** {@link streamHeadsDigest} over every stream's last event up to `headPosition`. */
  digest: Hex64,
  /**
   * The head of every stream that changed since the previous seal (every stream, for the
   * first): the seals of one chain together name the last event of every stream at each seal.
   */
  changed: t.record(t.string, SealedHead),
  /** First 16 hex digits of the SHA-256 of the public key (DER, SPKI). */
  keyId: t.refinement(t.string, (s) => /^[0-9a-f]{16}$/.test(s), 'KeyId'),
  /** The Ed25519 public key, base64 of its DER (SPKI) form. */
  publicKey: Base64,
};

/** Everything a seal states; the signature covers its canonical JSON. */
export const SealBody = t.strict(SealFields);
export type SealBody = t.TypeOf<typeof SealBody>;
/** A signed seal, as written to the seal file, standard output, the webhook and the log. */
export const Seal = t.strict({ ...SealFields, signature: Base64 });
export type Seal = t.TypeOf<typeof Seal>;

/** The value is not a seal (names the first field at fault). */
export class SealFormatError extends Error {
  override readonly name = 'SealFormatError';
}

/** Checks the shape of a seal (not its signature: see {@link checkSignature}). */
export function decodeSeal(value: unknown): Seal {
  const decoded = Seal.decode(value);
  if (isLeft(decoded)) {
    const error = decoded.left[0];
    const path = error?.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.');
    throw new SealFormatError(`not a ${SEAL_FORMAT} seal${path ? ` (field ${path})` : ''}`);
  }
  return decoded.right;
}

/** `commit`, or `commit/prepare` where they differ (EventStoreDB), as the audit output writes positions. */
export const positionText = (p: GlobalPosition): string => (p.commit === p.prepare ? p.commit.toString() : `${p.commit.toString()}/${p.prepare.toString()}`);

export const parsePositionText = (text: string): GlobalPosition => {
  const [commit, prepare] = text.split('/');
  return { commit: BigInt(commit!), prepare: BigInt(prepare ?? commit!) };
};

/**
 * SHA-256 over `streamId NUL lastRevision NUL lastHash LF` for every stream, sorted by stream
 * id: the digest `audit verify` prints, so on a log that ends at a seal's head both agree.
 */
export function streamHeadsDigest(heads: Iterable<readonly [string, { readonly revision: bigint | string; readonly hash: string }]>): string {
  const sorted = [...heads].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash('sha256');
  for (const [streamId, head] of sorted) hash.update(`${streamId}\u0000${head.revision.toString()}\u0000${head.hash}\n`);
  return hash.digest('hex');
}

/** The id a later seal names as `previous`: SHA-256 of the seal's canonical JSON, signature included. */
export const sealId = (seal: Seal): string => createHash('sha256').update(canonicalJson(seal), 'utf8').digest('hex');

/** What is signed: the canonical JSON of everything but the signature. */
const signedBytes = (body: SealBody): Buffer => {
  const { signature: _ignored, ...rest } = body as SealBody & { signature?: string };
  return Buffer.from(canonicalJson(rest), 'utf8');
};

/** Base64 of the public key's DER (SPKI) form. */
export const publicKeyText = (key: KeyObject): string => key.export({ format: 'der', type: 'spki' }).toString('base64');

/** The key id of a public key given as {@link publicKeyText}. */
export const keyIdOf = (publicKeyBase64: string): string => createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 16);

/** Signs a body with an Ed25519 private key; `keyId` and `publicKey` in the body must be this key's. */
export function signSeal(body: SealBody, privateKey: KeyObject): Seal {
  const signature = signBytes(null, signedBytes(body), privateKey).toString('base64');
  return { ...body, signature };
}

/** The Ed25519 public key a seal names, or a reason it names none usable. */
export function sealPublicKey(publicKeyBase64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new SealFormatError('its publicKey is not a DER (SPKI) public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SealFormatError(`its publicKey is an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key;
}

/**
 * Why the seal's signature does not hold, or `undefined` when it does: the key id must be the
 * public key's, and the signature must verify with that key over the canonical body.
 */
export function checkSignature(seal: Seal): string | undefined {
  let key: KeyObject;
  try {
    key = sealPublicKey(seal.publicKey);
  } catch (error) {
    return (error as Error).message;
  }
  if (keyIdOf(seal.publicKey) !== seal.keyId) return `its keyId ${seal.keyId} is not the id of its public key (${keyIdOf(seal.publicKey)})`;
  const ok = verifyBytes(null, signedBytes(seal), key, Buffer.from(seal.signature, 'base64'));
  return ok ? undefined : 'its signature does not verify with its public key (the seal was changed after it was signed)';
}
