import { createSupportSlaClient, isSupportSlaError, type SupportSlaClient } from '@support-sla/client';
import { storedToken } from './session';

/** The one client of the page: same origin as the console, the tab's token on every call. */
export const api: SupportSlaClient = createSupportSlaClient({
  baseUrl: window.location.origin,
  token: () => storedToken() ?? '',
});

/**
 * A fresh idempotency key per command. The client's default uses `crypto.randomUUID`, which
 * browsers offer only on https or localhost; `getRandomValues` works everywhere.
 */
export function newKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A failed call as a sentence for the page: 401 and 403 in plain words, the API's message otherwise. */
export function problem(error: unknown): string {
  if (isSupportSlaError(error)) {
    if (error.status === 401) return 'The service did not accept your token (missing, malformed or expired). Sign in again with a new token.';
    if (error.status === 403) return `Your role may not see or do this: ${error.body.message ?? 'forbidden'}.`;
    const fields = error.body.issues?.map((i) => `${i.field}: ${i.message}`).join('; ');
    return `${error.body.message ?? error.body.error}${fields ? ` (${fields})` : ''} [HTTP ${error.status}]`;
  }
  return error instanceof Error ? `The service could not be reached: ${error.message}` : String(error);
}
