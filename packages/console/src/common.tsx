import { createContext, useContext, type ReactNode } from 'react';
import type { Schemas } from '@support-sla/client';
import { api } from './api';
import { duration, inZone, viewerZone } from './format';
import { useLoad } from './hooks';
import type { Identity } from './session';

export type Policy = Schemas['SlaPolicy'];
export type Clock = Schemas['ClockReport'];

export const IdentityContext = createContext<Identity | undefined>(undefined);
export const useIdentity = (): Identity | undefined => useContext(IdentityContext);

/** Every published policy (roles that may read them); `undefined` while loading or when refused. */
export function usePolicies(enabled: boolean): readonly Policy[] | undefined {
  const loaded = useLoad(async () => (enabled ? (await api.GET('/policies')).versions : []), [enabled]);
  return loaded.data;
}

/** The time zone of the support calendar of `version` (default: the latest policy). */
export function policyZone(policies: readonly Policy[] | undefined, version?: number): string | undefined {
  if (policies === undefined || policies.length === 0) return undefined;
  const policy = version === undefined ? policies[policies.length - 1] : policies.find((p) => p.version === version);
  return policy?.supportCalendar.timeZone;
}

/** An instant in the viewer's zone, with the policy's zone beside it. */
export function When({ iso, zone }: { iso: string | null; zone: string | undefined }) {
  if (iso === null) return <span className="muted">—</span>;
  const mine = viewerZone();
  return (
    <span className="when">
      <time dateTime={iso}>{inZone(iso, mine)}</time>
      {zone !== undefined && zone !== mine ? <span className="policy-zone"> · {inZone(iso, zone)} ({zone})</span> : null}
    </span>
  );
}

export function ErrorNote({ message }: { message: string | undefined }) {
  return message === undefined ? null : (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section aria-labelledby={id ?? undefined} className="card">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const STATUS_TEXT: Record<Clock['status'], string> = { running: 'running', paused: 'paused', met: 'met', breached: 'breached', 'at-risk': 'at risk' };

/** A clock's state as a badge (at-risk and breached stand out, paused says so). */
export function ClockBadge({ clock }: { clock: Pick<Clock, 'status'> }) {
  return <span className={`badge badge-${clock.status}`}>{STATUS_TEXT[clock.status]}</span>;
}

/**
 * A running clock's deadline and what is left: the wall-clock time to the deadline counts down
 * every second; the business time left is the API's, as of its answer.
 */
export function Countdown({ clock, now }: { clock: Clock; now: number }) {
  if (clock.status === 'paused') return <span className="muted">paused ({duration(clock.businessTimeRemainingMs ?? 0)} business time left)</span>;
  if (clock.deadlineMs === null || clock.stoppedAtMs !== null) return <span className="muted">—</span>;
  const left = clock.deadlineMs - now;
  return (
    <span className={left < 0 ? 'overdue' : undefined}>
      <span data-countdown>{left < 0 ? `${duration(-left)} overdue` : `${duration(left)} to go`}</span>
      {clock.businessTimeRemainingMs !== null ? <span className="muted"> · {duration(clock.businessTimeRemainingMs)} business time left</span> : null}
    </span>
  );
}
