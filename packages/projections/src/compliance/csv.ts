import { stringify } from 'csv-stringify/sync';
import type { ComplianceGroup, ComplianceReport } from './report.js';

/**
 * The report's CSV columns, in order. One header row, then: one `group` row per (tier, request
 * type, channel), one `total` row (tier, request type and channel `*`), and one `outage` row per
 * outage. Columns that do not apply to a row are empty. Durations are integer milliseconds;
 * percentages have two decimals; `breached_tickets` and `outage_linked_tickets` are
 * space-separated lists. An outage row carries its own clocks: declared → alert sent, →
 * acknowledged, → ended (duration), and ended → debriefed.
 */
export const COMPLIANCE_CSV_COLUMNS = [
  'policy',
  'period_from',
  'period_to',
  'as_of',
  'section',
  'tier',
  'request_type',
  'channel',
  'received',
  'confirm_within_target',
  'confirm_breached',
  'confirm_pending',
  'confirm_within_target_pct',
  'confirm_median_ms',
  'confirm_p90_ms',
  'confirm_p95_ms',
  'respond_within_target',
  'respond_breached',
  'respond_pending',
  'respond_within_target_pct',
  'respond_median_ms',
  'respond_p90_ms',
  'respond_p95_ms',
  'breached_tickets',
  'outage_linked',
  'waiting_tickets',
  'waiting_on_customer_ms',
  'outage_id',
  'outage_source',
  'outage_declared_at',
  'outage_alert_sent_at',
  'outage_time_to_alert_ms',
  'outage_acknowledged_at',
  'outage_time_to_acknowledge_ms',
  'outage_ended_at',
  'outage_duration_ms',
  'outage_debriefed_at',
  'outage_time_to_debrief_ms',
  'outage_linked_tickets',
] as const;

export type ComplianceCsvColumn = (typeof COMPLIANCE_CSV_COLUMNS)[number];

type Row = Partial<Record<ComplianceCsvColumn, string | number | null>>;

const groupRow = (section: 'group' | 'total', g: ComplianceGroup): Row => ({
  section,
  tier: g.tier,
  request_type: g.requestType,
  channel: g.channel,
  received: g.received,
  confirm_within_target: g.confirmation.withinTarget,
  confirm_breached: g.confirmation.breached,
  confirm_pending: g.confirmation.pending,
  confirm_within_target_pct: g.confirmation.withinTargetPercent === null ? null : g.confirmation.withinTargetPercent.toFixed(2),
  confirm_median_ms: g.confirmation.businessTime.medianMs,
  confirm_p90_ms: g.confirmation.businessTime.p90Ms,
  confirm_p95_ms: g.confirmation.businessTime.p95Ms,
  respond_within_target: g.response.withinTarget,
  respond_breached: g.response.breached,
  respond_pending: g.response.pending,
  respond_within_target_pct: g.response.withinTargetPercent === null ? null : g.response.withinTargetPercent.toFixed(2),
  respond_median_ms: g.response.businessTime.medianMs,
  respond_p90_ms: g.response.businessTime.p90Ms,
  respond_p95_ms: g.response.businessTime.p95Ms,
  breached_tickets: g.breachedTickets.join(' '),
  outage_linked: g.outageLinked,
  waiting_tickets: g.waitingOnCustomer.tickets,
  waiting_on_customer_ms: g.waitingOnCustomer.totalMs,
});

const rowsOf = (report: ComplianceReport): Row[] => {
  const common: Row = {
    policy: report.policy === 'pinned' ? 'pinned' : `v${report.policy}`,
    period_from: report.period.from,
    period_to: report.period.to,
    as_of: report.asOf,
  };
  return [
    ...report.groups.map((g) => ({ ...common, ...groupRow('group', g) })),
    { ...common, ...groupRow('total', report.total) },
    ...report.outages.outages.map(
      (o): Row => ({
        ...common,
        section: 'outage',
        outage_id: o.outageId,
        outage_source: o.source,
        outage_declared_at: o.declaredAt,
        outage_alert_sent_at: o.alertSentAt,
        outage_time_to_alert_ms: o.timeToAlertMs,
        outage_acknowledged_at: o.acknowledgedAt,
        outage_time_to_acknowledge_ms: o.timeToAcknowledgeMs,
        outage_ended_at: o.endedAt,
        outage_duration_ms: o.durationMs,
        outage_debriefed_at: o.debriefedAt,
        outage_time_to_debrief_ms: o.timeToDebriefMs,
        outage_linked_tickets: o.linkedTickets.join(' '),
      }),
    ),
  ];
};

/**
 * Renders one or more reports (e.g. the real one and a what-if beside it) as CSV with
 * {@link COMPLIANCE_CSV_COLUMNS}. Line endings are `\n`; fields are quoted only when needed.
 */
export const complianceReportToCsv = (...reports: readonly ComplianceReport[]): string =>
  stringify(
    reports.flatMap(rowsOf).map((row) => COMPLIANCE_CSV_COLUMNS.map((c) => row[c] ?? '')),
    { header: true, columns: [...COMPLIANCE_CSV_COLUMNS], record_delimiter: 'unix' },
  );
