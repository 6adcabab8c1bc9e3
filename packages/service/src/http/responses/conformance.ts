import type * as t from 'io-ts';
import type { SlaPolicy, TicketEvent } from '@support-sla/domain';
import type { AuditTimeline, ComplianceReport as ComplianceReportType, QueueView as QueueViewType, SlaStatusBoard as SlaStatusBoardType, TicketAsOf as TicketAsOfType, WhatIfReport as WhatIfReportType } from '@support-sla/projections';
import type { commandResponse } from '../../tickets/tickets.controller';
import type { Freshness, TicketDetails as TicketDetailsType } from '../../tickets/ticket.queries';
import type { OutageListing as OutageListingType } from '../../outages/outage.queries';
import type { EntitlementsView as EntitlementsViewType } from '../../policies/policy.queries';
import type { HealthReport as HealthReportType } from '../../platform/operations.controller';
import type { ErrorBody as ErrorBodyType } from '../../platform/http-errors';
import type { ErrorBody } from './error.responses';
import type { HealthReport } from './operations.responses';
import type { OutageListing } from './outage.responses';
import type { EntitlementsView, PolicyList } from './policy.responses';
import type { ComplianceReport, QueueView, SlaStatusBoard, WhatIfReport } from './report.responses';
import type { TicketAsOf, TicketCommandAnswer, TicketDetails, TicketHistory } from './ticket.responses';

/**
 * Compile-time proof that each response codec describes exactly the type its handler returns:
 * a field added to, removed from or retyped in a view fails `tsc` here until its codec follows.
 * (Readonly-ness is ignored; the end-to-end contract test checks the real answers at run time.)
 */
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
type Same<A, B> = [DeepReadonly<A>] extends [DeepReadonly<B>] ? ([DeepReadonly<B>] extends [DeepReadonly<A>] ? true : false) : false;
type Holds<T extends true> = T;
type Declared<C extends t.Mixed> = t.TypeOf<C>;

// `ticketView` renders every instant through a helper typed for nullable input; receipt and
// opening are always set, so the document (truthfully) says they are never null.
type TicketViewAsSent<V> = V extends { receivedAt: unknown } ? Omit<V, 'receivedAt' | 'openedAt'> & { readonly receivedAt: string; readonly openedAt: string } : V;
// The executor types `events` as any domain event; a ticket command appends only to the ticket's
// stream, so only ticket events.
type CommandAnswerAsSent = Omit<ReturnType<typeof commandResponse>, 'ticket' | 'events'> & {
  readonly ticket: TicketViewAsSent<NonNullable<ReturnType<typeof commandResponse>['ticket']>> | null;
  readonly events: readonly TicketEvent['type'][];
};

export type ResponseCodecsMatchTheirHandlers = [
  Holds<Same<CommandAnswerAsSent, Declared<typeof TicketCommandAnswer>>>,
  Holds<Same<Omit<TicketDetailsType, 'ticket'> & { readonly ticket: TicketViewAsSent<TicketDetailsType['ticket']> }, Declared<typeof TicketDetails>>>,
  Holds<Same<AuditTimeline & Freshness, Declared<typeof TicketHistory>>>,
  Holds<Same<TicketAsOfType & Freshness, Declared<typeof TicketAsOf>>>,
  Holds<Same<QueueViewType & Freshness, Declared<typeof QueueView>>>,
  Holds<Same<SlaStatusBoardType & Freshness, Declared<typeof SlaStatusBoard>>>,
  Holds<Same<ComplianceReportType, Declared<typeof ComplianceReport>>>,
  Holds<Same<WhatIfReportType, Declared<typeof WhatIfReport>>>,
  Holds<Same<{ versions: SlaPolicy[] }, Declared<typeof PolicyList>>>,
  Holds<Same<EntitlementsViewType, Declared<typeof EntitlementsView>>>,
  Holds<Same<HealthReportType, Declared<typeof HealthReport>>>,
  Holds<Same<ErrorBodyType, Declared<typeof ErrorBody>>>,
  // The handler types the monitors as `Record<string, string>`; it fills them from
  // `monitorStatusAt`, which gives each of the three monitors `up` or `down`.
  Holds<[Declared<typeof OutageListing>] extends [DeepReadonly<OutageListingType>] ? true : false>,
];
