import { useMemo, useState, type FormEvent } from 'react';
import type { Schemas } from '@support-sla/client';
import { api } from '../api';
import { Chart, type ChartSeries } from '../Chart';
import { ErrorNote, policyZone, Section, useIdentity, usePolicies, When, type Policy } from '../common';
import { duration } from '../format';
import { useLoad } from '../hooks';
import { canRead } from '../session';

type Report = Schemas['ComplianceReport'];
type Group = Schemas['ComplianceGroup'];

const TIERS = ['premium', 'professional'] as const;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** `YYYY-MM-DD` of the first of this month and of the next (UTC). */
const thisMonth = (): { from: string; to: string } => {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { from: first.toISOString().slice(0, 10), to: next.toISOString().slice(0, 10) };
};

const dayStart = (day: string): string => `${day}T00:00:00.000Z`;

/** The period split into weeks of seven days from its start (the last one may be shorter). */
export const weeksOf = (from: string, to: string): { from: string; to: string }[] => {
  const weeks: { from: string; to: string }[] = [];
  const end = Date.parse(to);
  for (let start = Date.parse(from); start < end; start += 7 * DAY_MS) {
    weeks.push({ from: new Date(start).toISOString(), to: new Date(Math.min(start + 7 * DAY_MS, end)).toISOString() });
  }
  return weeks;
};

/** A tier's met percentage for a clock, as the API computes `withinTargetPercent` (2 decimals), over the tier's groups. */
export const tierPercent = (report: Report, tier: string, clock: 'confirmation' | 'response'): number | null => {
  let within = 0;
  let breached = 0;
  for (const g of report.groups) {
    if (g.tier !== tier) continue;
    within += g[clock].withinTarget;
    breached += g[clock].breached;
  }
  return within + breached === 0 ? null : Math.round((within / (within + breached)) * 10_000) / 100;
};

const hours = (ms: number | null): number | null => (ms === null ? null : Math.round((ms / HOUR_MS) * 100) / 100);

const targetHours = (policy: Policy | undefined, tier: (typeof TIERS)[number], clock: 'confirmation' | 'response'): number | undefined => {
  const target = policy?.targets[tier][clock];
  return target?.kind === 'business-minutes' ? Math.round((target.minutes / 60) * 100) / 100 : undefined;
};

/** Compliance for a period: met % per tier per week, time to confirm and respond against the targets, breaches, outages, CSV. */
export function CompliancePage({ query }: { query: URLSearchParams }) {
  const identity = useIdentity();
  const policies = usePolicies(canRead(identity?.role));
  const zone = policyZone(policies);
  const policy = policies?.[policies.length - 1];
  const defaults = thisMonth();
  const from = query.get('from') ?? defaults.from;
  const to = query.get('to') ?? defaults.to;
  const [fromInput, setFrom] = useState(from);
  const [toInput, setTo] = useState(to);
  const period = { from: dayStart(from), to: dayStart(to) };
  const report = useLoad(() => api.GET('/reports/compliance', { params: { query: { ...period, format: 'json' } } }), [from, to]);
  const weekly = useLoad(
    () => Promise.all(weeksOf(period.from, period.to).map(async (w) => ({ week: w, report: (await api.GET('/reports/compliance', { params: { query: { ...w, format: 'json' } } })) as Report }))),
    [from, to],
  );
  const [csvError, setCsvError] = useState<string | undefined>();

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    window.location.hash = `#/compliance?from=${fromInput}&to=${toInput}`;
  };

  const downloadCsv = async (): Promise<void> => {
    setCsvError(undefined);
    try {
      // The bytes exactly as the API sends them (no parsing, no re-encoding).
      const { data: blob, response } = await api.raw.GET('/reports/compliance', { params: { query: { ...period, format: 'csv' } }, parseAs: 'blob' });
      if (!response.ok || blob === undefined) throw new Error(`HTTP ${response.status}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `compliance-${from}-${to}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setCsvError(`The CSV could not be downloaded: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const weeklyChart = useMemo(() => {
    const rows = weekly.data ?? [];
    const categories = rows.map((r) => r.week.from.slice(0, 10));
    const series: ChartSeries[] = TIERS.flatMap((tier) =>
      (['confirmation', 'response'] as const).map((clock) => ({ name: `${tier} ${clock} met`, kind: 'line' as const, values: rows.map((r) => tierPercent(r.report, tier, clock)) })),
    );
    return { categories, series };
  }, [weekly.data]);

  const data = report.data as Report | undefined;
  const distribution = useMemo(() => {
    const groups: Group[] = data === undefined ? [] : [data.total, ...data.groups];
    const label = (g: Group): string => (g.tier === '*' ? 'all tickets' : `${g.tier} ${g.requestType} ${g.channel}`);
    const series: ChartSeries[] = (['confirmation', 'response'] as const).flatMap((clock) =>
      (['medianMs', 'p90Ms'] as const).map((stat) => ({ name: `${clock} ${stat === 'medianMs' ? 'median' : 'p90'}`, kind: 'bar' as const, values: groups.map((g) => hours(g[clock].businessTime[stat])) })),
    );
    const lines = TIERS.flatMap((tier) =>
      (['confirmation', 'response'] as const).flatMap((clock) => {
        const value = targetHours(policy, tier, clock);
        return value === undefined ? [] : [{ name: `${tier} ${clock} target`, value }];
      }),
    );
    return { categories: groups.map(label), series, lines };
  }, [data, policy]);

  return (
    <>
      <h1>Compliance</h1>
      <form className="inline" onSubmit={submit}>
        <label htmlFor="from">From (UTC, inclusive)</label>
        <input id="from" type="date" value={fromInput} onChange={(e) => setFrom(e.target.value)} required />
        <label htmlFor="to">To (UTC, exclusive)</label>
        <input id="to" type="date" value={toInput} onChange={(e) => setTo(e.target.value)} required />
        <button type="submit">Show</button>
        <button type="button" onClick={() => void downloadCsv()} data-testid="csv">
          Download CSV
        </button>
      </form>
      <ErrorNote message={report.error ?? weekly.error ?? csvError} />
      {data !== undefined ? (
        <>
          <p>
            Tickets received from <When iso={data.period.from} zone={zone} /> to <When iso={data.period.to} zone={zone} />, judged as of <When iso={data.asOf} zone={zone} />:{' '}
            <strong data-testid="received">{data.total.received}</strong> received; confirmation met {data.total.confirmation.withinTargetPercent ?? '—'} %, response met{' '}
            {data.total.response.withinTargetPercent ?? '—'} %.
          </p>
          <Section title="Met per tier per week">
            {weekly.data !== undefined ? <Chart id="weekly-chart" title="Confirmation and response met, per tier and week" unit="%" max={100} {...weeklyChart} /> : <p>Loading…</p>}
          </Section>
          <Section title="Business time to confirm and to respond">
            <Chart id="distribution-chart" title="Business time to confirm and respond (hours), against the targets" unit="h" {...distribution} />
          </Section>
          <Section title="Breached tickets">
            {data.total.breachedTickets.length === 0 ? (
              <p>None.</p>
            ) : (
              <ul className="inline-list" data-testid="breached">
                {data.total.breachedTickets.map((n) => (
                  <li key={n}>
                    <a href={`#/tickets/${encodeURIComponent(n)}`}>{n}</a>
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="Outages">
            <p>
              {data.outages.count} outage(s), {duration(data.outages.totalDurationMs)} in all.
            </p>
            {data.outages.outages.length > 0 ? (
              <table>
                <caption className="sr-only">Outages in the period with their clocks</caption>
                <thead>
                  <tr>
                    <th scope="col">Outage</th>
                    <th scope="col">Declared</th>
                    <th scope="col">Alert after</th>
                    <th scope="col">Acknowledged after</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Debrief after</th>
                    <th scope="col">Linked tickets</th>
                  </tr>
                </thead>
                <tbody>
                  {data.outages.outages.map((o) => (
                    <tr key={o.outageId}>
                      <td>
                        {o.outageId} ({o.source})
                      </td>
                      <td>
                        <When iso={o.declaredAt} zone={zone} />
                      </td>
                      <td>{o.timeToAlertMs === null ? '—' : duration(o.timeToAlertMs)}</td>
                      <td>{o.timeToAcknowledgeMs === null ? '—' : duration(o.timeToAcknowledgeMs)}</td>
                      <td>{o.durationMs === null ? 'ongoing' : duration(o.durationMs)}</td>
                      <td>{o.timeToDebriefMs === null ? 'no debrief yet' : duration(o.timeToDebriefMs)}</td>
                      <td>
                        {o.linkedTickets.map((t) => (
                          <a key={t} href={`#/tickets/${encodeURIComponent(t)}`} className="spaced">
                            {t}
                          </a>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </Section>
        </>
      ) : (
        <p aria-live="polite">{report.loading ? 'Loading…' : ''}</p>
      )}
    </>
  );
}
