import type { SlaPolicy } from '@support-sla/domain';
import {
  canonicalJson,
  complianceReport,
  complianceReportToCsv,
  whatIfReport,
  type ReadModels,
  type ReportPeriod,
} from '@support-sla/projections';

export type ReportFormat = 'json' | 'csv';

/**
 * The instant a report is judged at: `asOf` when given, else the earlier of `to` and now. A
 * report for the current month counts only what has happened: a response due tomorrow is
 * pending, not breached. The report states the instant it used (`asOf`, the CSV's `as_of`).
 */
export const reportPeriod = (from: string, to: string, asOf: string | undefined, nowMs: number): ReportPeriod => ({
  from,
  to,
  asOf: asOf ?? new Date(Math.min(Date.parse(to), nowMs)).toISOString(),
});

/**
 * The one rendering of a compliance report, shared by `GET /reports/compliance` and
 * `support-sla audit report`, so that an auditor's re-derivation can be compared byte for byte.
 * JSON is canonical (sorted keys); with `whatIf`, the real report and the what-if sit side by side.
 */
export const renderComplianceReport = (
  model: ReadModels,
  period: ReportPeriod,
  format: ReportFormat,
  whatIf?: SlaPolicy | number,
): string => {
  if (whatIf === undefined) {
    const report = complianceReport(model, period);
    return format === 'csv' ? complianceReportToCsv(report) : canonicalJson(report);
  }
  const both = whatIfReport(model, period, whatIf);
  return format === 'csv' ? complianceReportToCsv(both.actual, both.whatIf) : canonicalJson(both);
};
