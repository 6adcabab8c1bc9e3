import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const ROLES = ['administrator', 'publisher', 'teacher', 'agent', 'monitor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The verified caller, as handlers see it. */
export interface AuthenticatedUser {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly role: Role;
  readonly org: string;
}

/** Claims of a support-sla token. */
export interface TokenClaims {
  readonly sub: string;
  readonly role: Role;
  readonly org: string;
  readonly name?: string;
  readonly email?: string;
}

export interface SignOptions {
  /** A `jsonwebtoken` duration (`'8h'`, `'30d'`) or seconds; default 8 hours. */
  readonly expiresIn?: string | number;
}

/** The token is missing, malformed, badly signed, expired or lacks a required claim (HTTP 401). */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

const ISSUER = 'support-sla';

/** How many verified tokens {@link TokenService} remembers (a client sends the same token with every request). */
const REMEMBERED_TOKENS = 1_000;

/**
 * Signs and verifies HS256 bearer tokens with the configured key. Verification pins the
 * algorithm, so a token signed with `none` or an asymmetric algorithm is refused.
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
  /** Verified tokens: the caller, and `exp` in seconds (undefined: the token does not expire). */
  private readonly verified = new Map<string, { readonly user: AuthenticatedUser; readonly exp: number | undefined }>();

  constructor(key: string) {
    this.key = createSecretKey(Buffer.from(key, 'utf8'));
  }

  sign(claims: TokenClaims, options: SignOptions = {}): string {
    if (!isRole(claims.role)) throw new InvalidTokenError(`unknown role ${String(claims.role)}; expected one of ${ROLES.join(', ')}`);
    const payload: Record<string, string> = { role: claims.role, org: claims.org };
    if (claims.name !== undefined) payload.name = claims.name;
    if (claims.email !== undefined) payload.email = claims.email;
    return jwt.sign(payload, this.key, {
      algorithm: 'HS256',
      subject: claims.sub,
      issuer: ISSUER,
      expiresIn: (options.expiresIn ?? '8h') as jwt.SignOptions['expiresIn'],
    });
  }

  verify(token: string): AuthenticatedUser {
    const known = this.verified.get(token);
    // jsonwebtoken's own test: expired from the second `exp` on.
    if (known !== undefined && (known.exp === undefined || Math.floor(Date.now() / 1000) < known.exp)) return known.user;
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
    const { sub, role, org, name, email } = decoded as Record<string, unknown>;
    if (typeof sub !== 'string' || sub === '') throw new InvalidTokenError('token has no subject (sub)');
    if (!isRole(role)) throw new InvalidTokenError(`token role must be one of ${ROLES.join(', ')}`);
    if (typeof org !== 'string' || org === '') throw new InvalidTokenError('token has no organization (org)');
    // Frozen: the same object is handed to every request that sends this token.
    const user: AuthenticatedUser = Object.freeze({
      id: sub,
      role,
      org,
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof email === 'string' ? { email } : {}),
    });
    // A not-before time (tokens signed here have none) has passed once verification succeeded.
    if (this.verified.size >= REMEMBERED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { user, exp: typeof decoded.exp === 'number' ? decoded.exp : undefined });
    return user;
  }
}
