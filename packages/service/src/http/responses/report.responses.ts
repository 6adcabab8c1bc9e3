import * as t from 'io-ts';
import { IsoInstant, PositiveInt, Tier } from '@support-sla/domain';
import { COMPLIANCE_CSV_COLUMNS } from '@support-sla/projections';
import { component, described } from '../io-ts-openapi';
import { freshness, Millis, nullable } from './common';
import { ClockReport } from './ticket.responses';

const PriorityClass = t.keyof({ outage: null, error: null, 'technical-question': null, 'how-to': null }, 'PriorityClass');
const TicketStatus = t.keyof({ open: null, resolved: null, closed: null }, 'TicketStatus');

/** `GET /queue`. */
export const QueueView = component(
  t.type(
    {
      tier: described(t.union([Tier, t.literal('all')]), 'The tier asked for, or `all`'),
      total: described(t.number, 'Open tickets in this queue (before `limit`)'),
      entries: t.array(
        t.type(
          {
            key: described(t.string, "The domain's priority key: class, users affected, receipt time, ticket number"),
            ticketId: t.string,
            ticketNumber: t.string,
            tier: Tier,
            queue: t.string,
            priorityClass: PriorityClass,
            usersAffected: nullable(PositiveInt),
            receivedAtMs: Millis,
            awaitingCustomer: described(t.boolean, 'Still in the queue, but its clocks are paused until the customer replies'),
            position: described(PositiveInt, '1-based place in the queue'),
            receivedAt: IsoInstant,
          },
          'QueueEntry',
        ),
      ),
      ...freshness,
    },
    'QueueView',
  ),
  'Open tickets in the agreement’s priority order: outages, errors by users affected, technical questions, how-to; first come, first served within a rank',
);

/** `GET /sla`. */
export const SlaStatusBoard = component(
  t.type(
    {
      asOf: IsoInstant,
      tickets: described(
        t.array(
          t.type(
            {
              ticketId: t.string,
              ticketNumber: t.string,
              tier: Tier,
              queue: t.string,
              ticketStatus: TicketStatus,
              policyVersion: PositiveInt,
              confirmation: ClockReport,
              response: ClockReport,
              resolution: ClockReport,
            },
            'TicketSlaStatus',
          ),
        ),
        'Every ticket not closed, by ticket number',
      ),
      atRisk: described(t.array(t.string), 'Ticket numbers with a confirmation or response clock at risk (and none breached), nearest deadline first'),
      breached: described(t.array(t.string), 'Ticket numbers with a breached confirmation or response clock, most overdue first'),
      ...freshness,
    },
    'SlaStatusBoard',
  ),
  'The SLA status board',
);

const DurationStats = component(
  t.type({ count: t.number, medianMs: nullable(Millis), p90Ms: nullable(Millis), p95Ms: nullable(Millis) }, 'DurationStats'),
  'Nearest-rank statistics over stopped clocks',
);

const ClockSummary = component(
  t.type(
    {
      withinTarget: t.number,
      breached: t.number,
      pending: t.number,
      withinTargetPercent: described(nullable(t.number), '`withinTarget / (withinTarget + breached)` in percent, 2 decimals; `null` when nothing was decided yet'),
      businessTime: DurationStats,
    },
    'ClockSummary',
  ),
);

const ComplianceGroup = component(
  t.type(
    {
      tier: t.string,
      requestType: t.string,
      channel: t.string,
      received: t.number,
      confirmation: ClockSummary,
      response: ClockSummary,
      breachedTickets: t.array(t.string),
      outageLinked: t.number,
      waitingOnCustomer: t.type({ tickets: t.number, totalMs: Millis }, 'WaitingOnCustomer'),
    },
    'ComplianceGroup',
  ),
  'Figures for one (tier, request type, channel) group, or for all tickets (`*`)',
);

const OutageLine = component(
  t.type(
    {
      outageId: t.string,
      source: t.keyof({ monitors: null, staff: null }, 'OutageSource'),
      declaredAt: IsoInstant,
      alertSentAt: nullable(IsoInstant),
      timeToAlertMs: nullable(Millis),
      acknowledgedAt: nullable(IsoInstant),
      timeToAcknowledgeMs: nullable(Millis),
      endedAt: nullable(IsoInstant),
      durationMs: nullable(Millis),
      debriefedAt: nullable(IsoInstant),
      timeToDebriefMs: nullable(Millis),
      linkedTickets: t.array(t.string),
    },
    'OutageLine',
  ),
);

/** The compliance report of the projections package (canonical JSON). */
export const ComplianceReport = component(
  t.type(
    {
      period: t.type({ from: IsoInstant, to: IsoInstant }, 'ReportPeriod'),
      asOf: described(IsoInstant, 'The instant clocks were judged at'),
      policy: described(t.union([t.literal('pinned'), PositiveInt]), "`pinned` (each ticket's own policy) or the what-if version"),
      groups: t.array(ComplianceGroup),
      total: ComplianceGroup,
      outages: t.type(
        {
          count: t.number,
          totalDurationMs: Millis,
          timeToAlert: DurationStats,
          timeToAcknowledge: DurationStats,
          duration: DurationStats,
          timeToDebrief: DurationStats,
          outages: t.array(OutageLine),
        },
        'OutageSummary',
      ),
    },
    'ComplianceReport',
  ),
  'Compliance for tickets received in [from, to), judged as of `asOf`',
);

/** With `policyVersion`: the real report and the what-if side by side. */
export const WhatIfReport = component(t.type({ actual: ComplianceReport, whatIf: ComplianceReport }, 'WhatIfReport'), 'The real report and the same period under another policy version');

/** `GET /reports/compliance?format=json`. */
export const ComplianceAnswer = component(
  t.union([ComplianceReport, WhatIfReport], 'ComplianceAnswer'),
  'A `ComplianceReport`, or a `WhatIfReport` when `policyVersion` is given',
);

/** `GET /reports/compliance?format=csv`. */
export const COMPLIANCE_CSV_SCHEMA = {
  type: 'string',
  description: `CSV (RFC 4180) with a header row: ${COMPLIANCE_CSV_COLUMNS.join(',')}`,
};
