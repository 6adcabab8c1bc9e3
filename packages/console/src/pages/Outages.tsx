import { useState, type FormEvent } from 'react';
import type { Schemas } from '@support-sla/client';
import { api, newKey, problem } from '../api';
import { ErrorNote, policyZone, Section, useIdentity, usePolicies, When } from '../common';
import { duration } from '../format';
import { useInterval, useLoad } from '../hooks';
import { canRead, isStaff } from '../session';

type Line = Schemas['OutageLine'];

/** The status the public sees (monitors with their report times), every outage with its clocks, linked tickets, and the debrief form. */
export function OutagesPage() {
  const identity = useIdentity();
  const role = identity?.role;
  const policies = usePolicies(canRead(role));
  const zone = policyZone(policies);
  const [version, setVersion] = useState(0);
  const [tick, setTick] = useState(0);
  // /status is the public route (not in the API document, so not in the typed client).
  const status = useLoad(async () => (await fetch('/status', { headers: { accept: 'application/json' } })).json() as Promise<PublicStatus>, [version, tick]);
  const listing = useLoad(() => api.GET('/outages'), [version, tick]);
  // Outage clocks and linked tickets come from the compliance report's outage lines (staff and auditors).
  const lines = useLoad(
    async () => (canRead(role) ? ((await api.GET('/reports/compliance', { params: { query: { from: '2000-01-01T00:00:00Z', to: new Date(Date.now() + 86_400_000).toISOString() } } })) as Schemas['ComplianceReport']).outages.outages : []),
    [version, role],
  );
  useInterval(() => setTick((v) => v + 1), 10_000);
  const byId = new Map<string, Line>((lines.data ?? []).map((l) => [l.outageId, l]));
  const open = listing.data?.outages.find((o) => o.endedAt === null);

  return (
    <>
      <h1>Outages</h1>
      <ErrorNote message={listing.error ?? lines.error ?? status.error} />
      <Section title="Status monitors">
        {status.data !== undefined ? (
          <table data-testid="monitors">
            <caption className="sr-only">What each status monitor last reported</caption>
            <thead>
              <tr>
                <th scope="col">Monitor</th>
                <th scope="col">Latest report</th>
                <th scope="col">Observed</th>
              </tr>
            </thead>
            <tbody>
              {status.data.monitors.map((m) => (
                <tr key={m.monitor} data-monitor={m.monitor}>
                  <th scope="row">{m.monitor}</th>
                  <td className={m.status === 'down' ? 'overdue' : undefined}>{m.status ?? 'no report yet'}</td>
                  <td>
                    <When iso={m.reportedAt} zone={zone} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Open outage">
        {open === undefined ? (
          <p data-testid="open-outage">No outage is open.</p>
        ) : (
          <p data-testid="open-outage" className="overdue">
            {open.outageId} declared <When iso={open.declaredAt} zone={zone} />
            {byId.get(open.outageId)?.linkedTickets.length ? `; linked tickets: ${byId.get(open.outageId)?.linkedTickets.join(', ')}` : ''}.
          </p>
        )}
      </Section>
      <Section title="Every outage">
        {listing.data !== undefined && listing.data.outages.length > 0 ? (
          <table data-testid="outages">
            <caption className="sr-only">Every outage, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Outage</th>
                <th scope="col">Declared</th>
                <th scope="col">Ended</th>
                <th scope="col">Alert / acknowledgement after</th>
                <th scope="col">Linked tickets</th>
                <th scope="col">Debrief</th>
              </tr>
            </thead>
            <tbody>
              {listing.data.outages.map((o) => {
                const line = byId.get(o.outageId);
                return (
                  <tr key={o.outageId} data-outage={o.outageId}>
                    <td>
                      {o.outageId}
                      {line !== undefined ? ` (${line.source})` : ''}
                      {o.closed ? ' · closed' : ''}
                    </td>
                    <td>
                      <When iso={o.declaredAt} zone={zone} />
                    </td>
                    <td>{o.endedAt === null ? <strong>ongoing</strong> : <When iso={o.endedAt} zone={zone} />}</td>
                    <td>
                      {line?.timeToAlertMs != null ? duration(line.timeToAlertMs) : '—'} / {line?.timeToAcknowledgeMs != null ? duration(line.timeToAcknowledgeMs) : '—'}
                    </td>
                    <td>
                      {(line?.linkedTickets ?? []).map((t) => (
                        <a key={t} href={`#/tickets/${encodeURIComponent(t)}`} className="spaced">
                          {t}
                        </a>
                      ))}
                    </td>
                    <td>{o.debriefed ? 'recorded' : o.endedAt !== null && isStaff(role) ? <DebriefForm outageId={o.outageId} onDone={() => setVersion((v) => v + 1)} /> : 'not yet'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p>No outage recorded.</p>
        )}
      </Section>
    </>
  );
}

interface PublicStatus {
  readonly monitors: readonly { monitor: string; status: 'up' | 'down' | null; reportedAt: string | null }[];
}

function DebriefForm({ outageId, onDone }: { outageId: string; onDone: () => void }) {
  const [values, setValues] = useState({ whenItOccurred: '', howItOccurred: '', preventionPlan: '' });
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await api.POST('/outages/{id}/debrief', { params: { path: { id: outageId } }, idempotencyKey: newKey(), body: values });
      onDone();
    } catch (err) {
      setError(problem(err));
    }
  };
  const field = (name: keyof typeof values, label: string) => (
    <div className="field">
      <label htmlFor={`${outageId}-${name}`}>{label}</label>
      <textarea id={`${outageId}-${name}`} rows={2} required value={values[name]} onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))} />
    </div>
  );
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={`Debrief of ${outageId}`} data-action="debrief">
      {field('whenItOccurred', 'When it occurred')}
      {field('howItOccurred', 'How it occurred')}
      {field('preventionPlan', 'What will prevent a repeat')}
      <button type="submit">Record debrief</button>
      <ErrorNote message={error} />
    </form>
  );
}
