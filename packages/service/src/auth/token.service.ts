import { createSecretKey, type KeyObject } from 'node:crypto';
import { Email, isRole as isRoleName, Monitor, NonEmptyString, ROLES, type Role } from '@support-sla/domain';
import type * as t from 'io-ts';
import jwt from 'jsonwebtoken';

export { ROLES, type Role };

/** The domain's {@link isRoleName} for a claim of any type. */
export const isRole = (value: unknown): value is Role => typeof value === 'string' && isRoleName(value);

/** The verified caller, as handlers see it. */
export interface AuthenticatedUser {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly role: Role;
  readonly org: string;
  /** Role `monitor` only: the one location this monitor reports for. */
  readonly monitor?: Monitor;
}

/** Claims of a support-sla token. */
export interface TokenClaims {
  readonly sub: string;
  readonly role: Role;
  readonly org: string;
  readonly name?: string;
  readonly email?: string;
  /** Required with role `monitor` (and refused with any other): `chicago`, `california` or `atlanta`. */
  readonly monitor?: Monitor;
}

export interface SignOptions {
  /** A `jsonwebtoken` duration (`'8h'`, `'30d'`) or seconds; default 8 hours. */
  readonly expiresIn?: string | number;
}

export interface TokenServiceOptions {
  /**
   * Longest lifetime a token may have, in seconds (default {@link DEFAULT_TOKEN_MAX_LIFETIME_SECONDS}):
   * a token whose `exp` is further than this from its `iat` (or from now, without `iat`) is refused.
   */
  readonly maxLifetimeSeconds?: number;
}

/** 30 days: the default cap on a token's lifetime (`TOKEN_MAX_LIFETIME`). */
export const DEFAULT_TOKEN_MAX_LIFETIME_SECONDS = 30 * 86_400;

/** The token is missing, malformed, badly signed, expired or lacks a required claim (HTTP 401). */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/**
 * A claim checked with the domain codec its value ends up in: `sub` is the actor id of every
 * event, `name` and `email` become the named user of a requester's ticket. A claim the codec
 * refuses would be stored in an event that no longer decodes, so it is refused here instead.
 */
const checkClaim = (claim: string, codec: t.Decoder<unknown, unknown> & { readonly name: string }, value: unknown, expected: string): void => {
  if (codec.decode(value)._tag === 'Left') throw new InvalidTokenError(`token claim ${claim} must be ${expected} (${codec.name})`);
};

/**
 * The caller a token's verified payload names, or {@link InvalidTokenError} naming the first
 * claim that is missing or fails its codec. Shared by signing and verifying, so the service never
 * hands out a token it would refuse.
 */
const callerOf = (payload: Readonly<Record<string, unknown>>): AuthenticatedUser => {
  const { sub, role, org, name, email, monitor } = payload;
  if (sub === undefined || sub === '') throw new InvalidTokenError('token has no subject (sub)');
  checkClaim('sub', NonEmptyString, sub, 'a user id that is not blank');
  if (!isRole(role)) throw new InvalidTokenError(`token role must be one of ${ROLES.join(', ')}`);
  if (org === undefined || org === '') throw new InvalidTokenError('token has no organization (org)');
  checkClaim('org', NonEmptyString, org, 'an organization that is not blank');
  if (name !== undefined) checkClaim('name', NonEmptyString, name, 'a name that is not blank');
  if (email !== undefined) checkClaim('email', Email, email, 'an e-mail address such as ada@school.example');
  if (role === 'monitor') {
    if (monitor === undefined) throw new InvalidTokenError('a monitor token must name its location (claim monitor: chicago, california or atlanta)');
    checkClaim('monitor', Monitor, monitor, 'chicago, california or atlanta');
  } else if (monitor !== undefined) {
    throw new InvalidTokenError(`token claim monitor is only for role monitor (this token's role is ${role})`);
  }
  // Frozen: the same object is handed to every request that sends this token.
  return Object.freeze({
    id: sub as string,
    role,
    org: org as string,
    ...(name !== undefined ? { name: name as string } : {}),
    ...(email !== undefined ? { email: email as string } : {}),
    ...(role === 'monitor' ? { monitor: monitor as Monitor } : {}),
  });
};

const ISSUER = 'support-sla';

/** How many verified tokens {@link TokenService} remembers (a client sends the same token with every request). */
const REMEMBERED_TOKENS = 1_000;

/**
 * Signs and verifies HS256 bearer tokens with the configured key. Verification pins the
 * algorithm, so a token signed with `none` or an asymmetric algorithm is refused. A token must
 * carry `exp`, at most `maxLifetimeSeconds` after its `iat`, and claims the domain's codecs
 * accept (`sub`, `org` and `name` not blank, `email` an `Email`, `monitor` a `Monitor` for role
 * monitor): each refusal is a 401 naming the claim.
 *
 * A token that verified is remembered, by its exact text, with the caller it names and the
 * second it expires: the next request with the same token skips the signature check (about
 * 0.05 ms) but not the expiry check. The key cannot change while the service runs, so a
 * signature that verified once always will. Refused tokens are not remembered.
 */
export class TokenService {
  // jsonwebtoken turns a string key into a KeyObject on every call, first trying (and failing,
  // expensively) to parse it as a public key; a secret KeyObject made once skips that.
  private readonly key: KeyObject;
  /** Verified tokens: the caller, and `exp` in seconds. */
  private readonly verified = new Map<string, { readonly user: AuthenticatedUser; readonly exp: number }>();

  private readonly maxLifetimeSeconds: number;

  constructor(key: string, options: TokenServiceOptions = {}) {
    this.key = createSecretKey(Buffer.from(key, 'utf8'));
    this.maxLifetimeSeconds = options.maxLifetimeSeconds ?? DEFAULT_TOKEN_MAX_LIFETIME_SECONDS;
  }

  /** Signs a token; refuses claims or a lifetime that {@link verify} would refuse. */
  sign(claims: TokenClaims, options: SignOptions = {}): string {
    if (!isRole(claims.role)) throw new InvalidTokenError(`unknown role ${String(claims.role)}; expected one of ${ROLES.join(', ')}`);
    callerOf({ ...claims });
    const payload: Record<string, string> = { role: claims.role, org: claims.org };
    if (claims.name !== undefined) payload.name = claims.name;
    if (claims.email !== undefined) payload.email = claims.email;
    if (claims.monitor !== undefined) payload.monitor = claims.monitor;
    const token = jwt.sign(payload, this.key, {
      algorithm: 'HS256',
      subject: claims.sub,
      issuer: ISSUER,
      expiresIn: (options.expiresIn ?? '8h') as jwt.SignOptions['expiresIn'],
    });
    const { iat, exp } = jwt.decode(token) as { iat: number; exp: number };
    if (exp - iat > this.maxLifetimeSeconds) throw new InvalidTokenError(this.tooLong(exp - iat));
    return token;
  }

  private tooLong(seconds: number): string {
    return `token lifetime (exp) of ${humanSeconds(seconds)} exceeds the maximum of ${humanSeconds(this.maxLifetimeSeconds)} (TOKEN_MAX_LIFETIME)`;
  }

  verify(token: string): AuthenticatedUser {
    const known = this.verified.get(token);
    // jsonwebtoken's own test: expired from the second `exp` on.
    if (known !== undefined && Math.floor(Date.now() / 1000) < known.exp) return known.user;
    this.verified.delete(token);
    return this.verifyAndDecode(token);
  }

  private verifyAndDecode(token: string): AuthenticatedUser {
    let decoded: string | jwt.JwtPayload;
    try {
      decoded = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER });
    } catch (error) {
      const reason = error instanceof jwt.TokenExpiredError ? 'token expired' : error instanceof Error ? error.message : 'invalid token';
      throw new InvalidTokenError(reason);
    }
    if (typeof decoded === 'string') throw new InvalidTokenError('token payload is not an object');
    const user = callerOf(decoded as Record<string, unknown>);
    // A token without an expiry would be good forever; one valid for longer than the cap is
    // as good as that. jsonwebtoken has already refused an `exp` in the past.
    const { exp, iat } = decoded;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new InvalidTokenError('token has no expiry (claim exp); sign tokens with an expiry');
    const now = Math.floor(Date.now() / 1000);
    const issued = typeof iat === 'number' && Number.isFinite(iat) ? Math.min(iat, now) : now;
    if (exp - issued > this.maxLifetimeSeconds) throw new InvalidTokenError(this.tooLong(exp - issued));
    // A not-before time (tokens signed here have none) has passed once verification succeeded.
    if (this.verified.size >= REMEMBERED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { user, exp });
    return user;
  }
}

/** `30d`, `8h`, `90s`: the largest whole unit. */
const humanSeconds = (seconds: number): string =>
  seconds % 86_400 === 0 ? `${seconds / 86_400}d` : seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
