/** The pasted token, kept in sessionStorage: this browser tab only, gone when it closes. */
const KEY = 'support-sla.token';

export interface Identity {
  readonly role: string;
  readonly user: string;
  readonly org: string;
  readonly name: string | undefined;
  /** Epoch seconds, if the token says. */
  readonly expiresAt: number | undefined;
}

export const STAFF = ['agent', 'admin'] as const;
export const READERS = ['agent', 'admin', 'auditor'] as const;

export const isStaff = (role: string | undefined): boolean => role !== undefined && (STAFF as readonly string[]).includes(role);
export const canRead = (role: string | undefined): boolean => role !== undefined && (READERS as readonly string[]).includes(role);

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
}

const base64url = (part: string): string => {
  const padded = part.replace(/-/g, '+').replace(/_/g, '/');
  return atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
};

/**
 * What the token says about its holder, to choose which pages to show. The signature is not
 * checked here (the browser has no key): the service checks it on every call, and its 401/403
 * answers are what really decide.
 */
export function identityOf(token: string): Identity | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(base64url(parts[1]), (c) => c.charCodeAt(0))));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const c = claims as Record<string, unknown>;
    if (typeof c['role'] !== 'string' || typeof c['sub'] !== 'string') return undefined;
    return {
      role: c['role'],
      user: c['sub'],
      org: typeof c['org'] === 'string' ? c['org'] : '',
      name: typeof c['name'] === 'string' ? c['name'] : undefined,
      expiresAt: typeof c['exp'] === 'number' ? c['exp'] : undefined,
    };
  } catch {
    return undefined;
  }
}
