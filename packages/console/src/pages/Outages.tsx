import { useState, type FormEvent } from 'react';
import { api, newKey, problem } from '../api';
import { ErrorNote, policyZone, Section, useIdentity, usePolicies, When } from '../common';
import { useInterval, useLoad } from '../hooks';
import { canRead, isStaff } from '../session';

/** The status the public sees (monitors with their report times), every outage with its clocks, linked tickets, and the debrief form. */
export function OutagesPage() {
  const identity = useIdentity();
  const role = identity?.role;
  const policies = usePolicies(canRead(role));
  const zone = policyZone(policies);
  const [version, setVersion] = useState(0);
  const [tick, setTick] = useState(0);
  // The public status (GET /status, no token needed) for the monitors' latest reports and their times.
  const status = useLoad(async () => {
    const answer = await api.GET('/status', { headers: { accept: 'application/json' } });
    // The route also answers a page (text/html) to browsers that prefer one; this call asks for JSON.
    if (typeof answer === 'string') throw new Error('GET /status answered a page instead of JSON');
    return answer;
  }, [version, tick]);
  // GET /outages: every outage with its declaration, end, debrief, closure and linked tickets.
  // The alert and acknowledgement times are not in that answer; they are in the compliance
  // report's outage lines, which this page does not ask for (a report over all time is slow on a
  // large store): each outage links to the compliance page for its own days.
  const listing = useLoad(() => api.GET('/outages'), [version, tick]);
  useInterval(() => setTick((v) => v + 1), 10_000);
  const open = listing.data?.outages.find((o) => o.endedAt === null);

  return (
    <>
      <h1>Outages</h1>
      <ErrorNote message={listing.error ?? status.error} />
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
            {open.outageId} declared <When iso={open.declaredAt} zone={zone} />.
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
                <th scope="col">Linked tickets</th>
                <th scope="col">Clocks</th>
                <th scope="col">Debrief</th>
              </tr>
            </thead>
            <tbody>
              {listing.data.outages.map((o) => {
                // An outage still open spans up to the service's today (its clock, as the status answer says).
                const days = reportDays(o.declaredAt, o.endedAt, status.data !== undefined ? Date.parse(status.data.checkedAt) : Date.now());
                return (
                  <tr key={o.outageId} data-outage={o.outageId}>
                    <td>
                      {o.outageId}
                      {o.closed ? ' · closed' : ''}
                    </td>
                    <td>
                      <When iso={o.declaredAt} zone={zone} />
                    </td>
                    <td>{o.endedAt === null ? <strong>ongoing</strong> : <When iso={o.endedAt} zone={zone} />}</td>
                    <td data-testid="linked-tickets">
                      {o.linkedTickets.length === 0
                        ? 'none'
                        : o.linkedTickets.map((n, i) => (
                            <span key={n}>
                              {i > 0 ? ', ' : ''}
                              <a href={`#/tickets/${encodeURIComponent(n)}`}>{n}</a>
                            </span>
                          ))}
                    </td>
                    <td>
                      {days !== undefined && canRead(role) ? (
                        <a href={`#/compliance?from=${days.from}&to=${days.to}`} data-testid="outage-report">
                          compliance report for {days.from === days.last ? days.from : `${days.from} to ${days.last}`}
                        </a>
                      ) : (
                        '—'
                      )}
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
        <p>
          Alert and acknowledgement times are in the compliance report of the days an outage lasted (linked above), not on this page: it reads only{' '}
          <code>GET /outages</code>, and never a report over all time.
        </p>
      </Section>
    </>
  );
}

const DAY_MS = 86_400_000;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The UTC days an outage spans ([from, to) for the compliance page, `last` its last day); still open: up to today. */
export function reportDays(declaredAt: string | null, endedAt: string | null, nowMs: number = Date.now()): { from: string; to: string; last: string } | undefined {
  if (declaredAt === null) return undefined;
  const start = Date.parse(declaredAt);
  const end = endedAt === null ? Math.max(nowMs, start) : Date.parse(endedAt);
  const first = Math.floor(start / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
  return { from: day(first), to: day(lastDay + DAY_MS), last: day(lastDay) };
}

function DebriefForm({ outageId, onDone }: { outageId: string; onDone: () => void }) {
  const [values, setValues] = useState({ whenItOccurred: '', howItOccurred: '', preventionPlan: '' });
  const [error, setError] = useState<string | undefined>();
  // Kept while the text stays the same: sent again after a failure, it is the same request.
  const [key, setKey] = useState(newKey);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await api.POST('/outages/{id}/debrief', { params: { path: { id: outageId } }, idempotencyKey: key, body: values });
      onDone();
    } catch (err) {
      setError(problem(err));
    }
  };
  const field = (name: keyof typeof values, label: string) => (
    <div className="field">
      <label htmlFor={`${outageId}-${name}`}>{label}</label>
      <textarea
        id={`${outageId}-${name}`}
        rows={2}
        required
        value={values[name]}
        onChange={(e) => {
          setValues((v) => ({ ...v, [name]: e.target.value }));
          setKey(newKey());
        }}
      />
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
