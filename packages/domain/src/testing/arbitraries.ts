import fc from 'fast-check';
import { ROLES, type Actor } from '../shared/actor';
import { CATEGORIES, CHANNELS, LICENSES, MONITORS, TIERS, TRAININGS, type Category, type License } from '../shared/agreement';
import type { DomainCommand, DomainEvent } from '../shared/codecs';
import type { OutageCommand } from '../outage/outage.commands';
import type { OutageEvent } from '../outage/outage.events';
import { outageDecider } from '../outage/outage.decider';
import type { OutageBoard } from '../outage/outage.state';
import { defaultPolicy } from '../policy/policy.default';
import type { PolicyCommand } from '../policy/policy.commands';
import type { PolicyEvent } from '../policy/policy.events';
import type { CalendarSpecData, SlaPolicy, Target } from '../policy/policy.schema';
import { WEEKDAYS } from '../policy/policy.schema';
import type { TicketCommand } from '../ticket/ticket.commands';
import type { NamedUser, RequestDetails, TicketEvent } from '../ticket/ticket.events';
import { ticketDecider } from '../ticket/ticket.decider';
import type { TicketState } from '../ticket/ticket.state';
import { actors, namedUserFor } from './fixtures';
import { runCommands } from './run-commands';

/**
 * fast-check generators for every event and command (all of them decode), and for valid
 * histories made by running random commands through the deciders.
 */

const MIN_MS = Date.parse('2024-01-01T00:00:00Z');
const MAX_MS = Date.parse('2034-12-31T00:00:00Z');
const OFFSETS = [0, -300, -240, 60, 330, -600] as const;

/** Renders epoch ms as an ISO instant at a fixed offset (minutes east of UTC). */
export const renderInstant = (ms: number, offsetMinutes = 0): string => {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

export const arbInstantMs = fc.integer({ min: MIN_MS, max: MAX_MS });
/** ISO instants between 2024 and 2034, in UTC or with a numeric offset. */
export const arbInstant: fc.Arbitrary<string> = fc.tuple(arbInstantMs, fc.constantFrom(...OFFSETS)).map(([ms, off]) => renderInstant(ms, off));

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/);
/** Non-blank free text. */
export const arbText: fc.Arbitrary<string> = fc.string({ maxLength: 40 }).map((s) => `t${s}`);
export const arbId: fc.Arbitrary<string> = word.map((w) => `id-${w}`);
export const arbEmail: fc.Arbitrary<string> = fc.tuple(word, word).map(([u, d]) => `${u}@${d}.org`);
export const arbActor: fc.Arbitrary<Actor> = fc.record({ id: arbId, role: fc.constantFrom(...ROLES) });
export const arbLicense: fc.Arbitrary<License> = fc.constantFrom(...LICENSES);
export const arbCategory: fc.Arbitrary<Category> = fc.constantFrom(...CATEGORIES);
export const arbNamedUser: fc.Arbitrary<NamedUser> = fc.record(
  { id: arbId, email: arbEmail, license: arbLicense, name: arbText },
  { requiredKeys: ['id', 'email', 'license'] },
);
export const arbRequest: fc.Arbitrary<RequestDetails> = fc.record(
  { summary: arbText, description: arbText, stepsToReproduce: arbText, usersAffected: fc.integer({ min: 1, max: 100_000 }) },
  { requiredKeys: ['summary', 'description'] },
);

const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const arbDate = arbInstantMs.map((ms) => new Date(ms).toISOString().slice(0, 10));

/** Small but valid calendar specs: one shift on some weekdays, a few holidays. */
export const arbCalendarSpec: fc.Arbitrary<CalendarSpecData> = fc
  .record({
    timeZone: fc.constantFrom('America/New_York', 'America/Chicago', 'Europe/Paris', 'UTC'),
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    start: fc.integer({ min: 0, max: 11 }).map((h) => h * 60),
    length: fc.integer({ min: 1, max: 12 }).map((h) => h * 60),
    holidays: fc.uniqueArray(arbDate, { maxLength: 4 }),
  })
  .map(({ timeZone, days, start, length, holidays }) => ({
    timeZone,
    weeklyHours: days.map((day) => ({ day, start: hhmm(start), end: hhmm(start + length) })),
    holidays,
  }));

const arbTarget: fc.Arbitrary<Target> = fc.oneof(
  fc.integer({ min: 1, max: 1440 }).map((minutes) => ({ kind: 'business-minutes' as const, minutes })),
  fc.constant({ kind: 'end-of-next-business-day' as const }),
);
const arbEntitlement = fc.record({
  channels: fc.subarray([...CHANNELS], { minLength: 1 }),
  training: fc.subarray([...TRAININGS]),
});

/** Valid policies (they pass `PublishPolicy` validation), with small calendars. */
export const arbPolicy: fc.Arbitrary<SlaPolicy> = fc.record({
  version: fc.integer({ min: 1, max: 50 }),
  supportCalendar: arbCalendarSpec,
  outageCalendar: fc.oneof(fc.constant('always-open' as const), arbCalendarSpec),
  targets: fc.record({
    premium: fc.record({ confirmation: arbTarget, response: arbTarget }),
    professional: fc.record({ confirmation: arbTarget, response: arbTarget }),
  }),
  nextBusinessDayCountsFrom: fc.constantFrom('receipt-date' as const, 'next-opening' as const),
  resolution: fc.constant('best-effort' as const),
  warningFractions: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 4 }).map((xs) => xs.sort((a, b) => a - b).map((x) => x / 100)),
  confirmation: fc.constantFrom('automatic' as const, 'agent' as const),
  entitlements: fc.record({ premium: arbEntitlement, professional: arbEntitlement }),
});

const ev = <T extends DomainEvent['type'], D>(type: T, data: fc.Arbitrary<D>) => data.map((d) => ({ type, schemaVersion: 1 as const, data: d }));

const ticketBase = { ticketId: arbId, at: arbInstant, by: arbActor };
const outageBase = { at: arbInstant, by: arbActor };

const arbSlaClock = fc.constantFrom('confirmation' as const, 'response' as const);
/** `'breach'` or a warning fraction as text. */
const arbSlaLevel = fc.oneof(fc.constant('breach'), fc.integer({ min: 1, max: 99 }).map((n) => String(n / 100)));

/** Any ticket event (each decodes; not necessarily a consistent history). */
export const arbTicketEvent: fc.Arbitrary<TicketEvent> = fc.oneof(
  ev(
    'TicketOpened',
    fc.record(
      {
        ...ticketBase,
        ticketNumber: arbId,
        receivedAt: arbInstant,
        channel: fc.constantFrom(...CHANNELS),
        namedUser: arbNamedUser,
        tier: fc.constantFrom(...TIERS),
        request: arbRequest,
        policyVersion: fc.integer({ min: 1, max: 50 }),
        suggestedCategory: arbCategory,
      },
      { requiredKeys: ['ticketId', 'at', 'by', 'ticketNumber', 'receivedAt', 'channel', 'namedUser', 'tier', 'request', 'policyVersion'] }),
  ),
  ev(
    'TicketClassified',
    fc.record(
      { ...ticketBase, category: arbCategory, reclassified: fc.boolean(), previousCategory: arbCategory, reason: arbText, stepsToReproduce: arbText, usersAffected: fc.integer({ min: 1, max: 5000 }) },
      { requiredKeys: ['ticketId', 'at', 'by', 'category', 'reclassified'] }),
  ),
  ev('TicketQueued', fc.record({ ...ticketBase, queue: arbText })),
  ev('TicketAcknowledged', fc.record({ ...ticketBase, automatic: fc.boolean(), notifyEmail: arbEmail, messageId: arbText }, { requiredKeys: ['ticketId', 'at', 'by', 'automatic', 'notifyEmail'] })),
  ev(
    'TicketResponded',
    fc.record(
      { ...ticketBase, message: arbText, definedAs: fc.constantFrom('support-ticket' as const, 'support-item' as const, 'project' as const), actionPlan: arbText },
      { requiredKeys: ['ticketId', 'at', 'by', 'message', 'definedAs'] }),
  ),
  ev('TicketAwaitingCustomer', fc.record({ ...ticketBase, reason: arbText })),
  ev('CustomerReplied', fc.record({ ...ticketBase, message: arbText }, { requiredKeys: ['ticketId', 'at', 'by'] })),
  ev('TicketResolved', fc.record({ ...ticketBase, resolution: arbText }, { requiredKeys: ['ticketId', 'at', 'by'] })),
  ev('TicketClosed', fc.record({ ...ticketBase, resolutionDetails: arbText, notifyEmail: arbEmail })),
  ev('TicketReopened', fc.record({ ...ticketBase, reason: arbText })),
  ev('TicketLinkedToOutage', fc.record({ ...ticketBase, outageId: arbId })),
  ev(
    'TicketNotificationSent',
    fc.record(
      { ...ticketBase, purpose: fc.constantFrom('resolution' as const, 'outage-restored' as const), messageId: arbText, to: arbEmail, restoredAt: arbInstant },
      { requiredKeys: ['ticketId', 'at', 'by', 'purpose', 'messageId', 'to'] },
    ),
  ),
  ev('TicketSlaAlertRaised', fc.record({ ...ticketBase, clock: arbSlaClock, level: arbSlaLevel, dueAt: arbInstant })),
  ev(
    'TicketSlaAlertSent',
    fc.record(
      { ...ticketBase, clock: arbSlaClock, level: arbSlaLevel, channel: fc.constantFrom('email' as const, 'webhook' as const), to: arbText, messageId: arbText },
      { requiredKeys: ['ticketId', 'at', 'by', 'clock', 'level', 'channel', 'to'] },
    ),
  ),
);

/** Any outage-board event. */
export const arbOutageEvent: fc.Arbitrary<OutageEvent> = fc.oneof(
  ev('MonitorReportedStatus', fc.record({ ...outageBase, monitor: fc.constantFrom(...MONITORS), status: fc.constantFrom('up' as const, 'down' as const), observedAt: arbInstant })),
  ev(
    'OutageDeclared',
    fc.record(
      { ...outageBase, outageId: arbId, declaredAt: arbInstant, source: fc.constantFrom('monitors' as const, 'staff' as const), scope: arbText, reason: arbText },
      { requiredKeys: ['at', 'by', 'outageId', 'declaredAt'] },
    ),
  ),
  ev('OutageEnded', fc.record({ ...outageBase, outageId: arbId, endedAt: arbInstant, endedBy: fc.constantFrom(...MONITORS, 'staff' as const) })),
  ev('OutageAlertSent', fc.record({ ...outageBase, outageId: arbId, channel: fc.constantFrom('email' as const, 'webhook' as const), to: arbText, messageId: arbText }, { requiredKeys: ['at', 'by', 'outageId', 'channel', 'to'] })),
  ev('OutageAlertAcknowledged', fc.record({ ...outageBase, outageId: arbId })),
  ev('OutageDebriefRecorded', fc.record({ ...outageBase, outageId: arbId, whenItOccurred: arbText, howItOccurred: arbText, preventionPlan: arbText })),
  ev('OutageClosed', fc.record({ ...outageBase, outageId: arbId })),
);

export const arbPolicyEvent: fc.Arbitrary<PolicyEvent> = ev('PolicyPublished', fc.record({ at: arbInstant, by: arbActor, policy: arbPolicy }));

/** Any event of any aggregate. */
export const arbEvent: fc.Arbitrary<DomainEvent> = fc.oneof(arbTicketEvent, arbOutageEvent, arbPolicyEvent);

const cmd = <T extends DomainCommand['type'], D>(type: T, data: fc.Arbitrary<D>) =>
  fc.record({ now: arbInstant, actor: arbActor, data }).map((c) => ({ type, ...c }));
const ref = { ticketId: arbId };

/** Any ticket command (each decodes; most would be refused by `decide` on a random state). */
export const arbTicketCommand: fc.Arbitrary<TicketCommand> = fc.oneof(
  cmd(
    'OpenTicket',
    fc.record(
      { ...ref, ticketNumber: arbId, channel: fc.constantFrom(...CHANNELS), namedUser: arbNamedUser, request: arbRequest, policy: arbPolicy, receivedAt: arbInstant, suggestedCategory: arbCategory },
      { requiredKeys: ['ticketId', 'ticketNumber', 'channel', 'namedUser', 'request', 'policy'] }),
  ),
  cmd('ClassifyTicket', fc.record({ ...ref, category: arbCategory, reason: arbText, stepsToReproduce: arbText, usersAffected: fc.integer({ min: 1, max: 5000 }) }, { requiredKeys: ['ticketId', 'category'] })),
  cmd('AcknowledgeTicket', fc.record({ ...ref, automatic: fc.boolean(), messageId: arbText, occurredAt: arbInstant }, { requiredKeys: ['ticketId'] })),
  cmd(
    'RespondToTicket',
    fc.record({ ...ref, message: arbText, actionPlan: fc.string(), definedAs: fc.constantFrom('support-ticket' as const, 'support-item' as const, 'project' as const) }, { requiredKeys: ['ticketId', 'message'] }),
  ),
  cmd('AwaitCustomer', fc.record({ ...ref, reason: arbText })),
  cmd('RecordCustomerReply', fc.record({ ...ref, message: arbText }, { requiredKeys: ['ticketId'] })),
  cmd('ResolveTicket', fc.record({ ...ref, resolution: arbText }, { requiredKeys: ['ticketId'] })),
  cmd('CloseTicket', fc.record({ ...ref, resolutionDetails: fc.string() }, { requiredKeys: ['ticketId'] })),
  cmd('ReopenTicket', fc.record({ ...ref, reason: arbText })),
  cmd('LinkTicketToOutage', fc.record({ ...ref, outageId: arbId })),
  cmd('RecordNotificationSent', fc.record({ ...ref, purpose: fc.constantFrom('resolution' as const, 'outage-restored' as const), messageId: arbText })),
  cmd('RaiseSlaAlert', fc.record({ ...ref, clock: arbSlaClock, level: arbSlaLevel, dueAt: arbInstant, policy: arbPolicy })),
  cmd(
    'RecordSlaAlertSent',
    fc.record(
      { ...ref, clock: arbSlaClock, level: arbSlaLevel, channel: fc.constantFrom('email' as const, 'webhook' as const), to: arbText, messageId: arbText },
      { requiredKeys: ['ticketId', 'clock', 'level', 'channel', 'to'] },
    ),
  ),
);

export const arbOutageCommand: fc.Arbitrary<OutageCommand> = fc.oneof(
  cmd('ReportMonitorStatus', fc.record({ monitor: fc.constantFrom(...MONITORS), status: fc.constantFrom('up' as const, 'down' as const), observedAt: arbInstant })),
  cmd('RecordOutageDebrief', fc.record({ outageId: arbId, whenItOccurred: fc.string(), howItOccurred: fc.string(), preventionPlan: fc.string() })),
  cmd('CloseOutage', fc.record({ outageId: arbId })),
  cmd('DeclareOutage', fc.record({ scope: arbText, reason: arbText, occurredAt: arbInstant }, { requiredKeys: ['scope', 'reason'] })),
  cmd('EndOutage', fc.record({ outageId: arbId, occurredAt: arbInstant }, { requiredKeys: ['outageId'] })),
  cmd('RecordOutageAlertSent', fc.record({ outageId: arbId, channel: fc.constantFrom('email' as const, 'webhook' as const), to: arbText, messageId: arbText }, { requiredKeys: ['outageId', 'channel', 'to'] })),
  cmd('AcknowledgeOutageAlert', fc.record({ outageId: arbId })),
);

export const arbPolicyCommand: fc.Arbitrary<PolicyCommand> = cmd('PublishPolicy', fc.record({ policy: arbPolicy }));

/** Any command of any aggregate. */
export const arbCommand: fc.Arbitrary<DomainCommand> = fc.oneof(arbTicketCommand, arbOutageCommand, arbPolicyCommand);

// ---------------------------------------------------------------------------------------------
// Plausible command sequences for one ticket, and the histories they produce.
// ---------------------------------------------------------------------------------------------

const staffOrRequester = (license: License): fc.Arbitrary<Actor> =>
  fc.constantFrom<Actor>(actors.agent, actors.agent, actors.admin, actors[license], actors.auditor);

type Step = (ticketId: string, now: string, license: License) => fc.Arbitrary<TicketCommand>;

const steps: readonly Step[] = [
  (ticketId, now, license) =>
    fc
      .record({
        category: arbCategory,
        reason: fc.option(arbText, { nil: undefined }),
        usersAffected: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
        stepsToReproduce: fc.option(arbText, { nil: undefined }),
        actor: staffOrRequester(license),
      })
      .map(({ actor, category, ...rest }) => ({
        type: 'ClassifyTicket' as const,
        now,
        actor,
        data: { ticketId, category, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) },
      })),
  (ticketId, now, license) => staffOrRequester(license).map((actor) => ({ type: 'AcknowledgeTicket' as const, now, actor, data: { ticketId } })),
  (ticketId, now, license) =>
    fc
      .record({ actor: staffOrRequester(license), plan: fc.option(arbText, { nil: undefined }), definedAs: fc.option(fc.constantFrom('support-item' as const, 'project' as const), { nil: undefined }) })
      .map(({ actor, plan, definedAs }) => ({
        type: 'RespondToTicket' as const,
        now,
        actor,
        data: { ticketId, message: 'We are on it', ...(plan !== undefined ? { actionPlan: plan } : {}), ...(definedAs !== undefined ? { definedAs } : {}) },
      })),
  (ticketId, now, license) => staffOrRequester(license).map((actor) => ({ type: 'AwaitCustomer' as const, now, actor, data: { ticketId, reason: 'Need a screenshot' } })),
  (ticketId, now, license) => staffOrRequester(license).map((actor) => ({ type: 'RecordCustomerReply' as const, now, actor, data: { ticketId } })),
  (ticketId, now, license) =>
    fc
      .record({ actor: staffOrRequester(license), resolution: fc.option(arbText, { nil: undefined }) })
      .map(({ actor, resolution }) => ({ type: 'ResolveTicket' as const, now, actor, data: { ticketId, ...(resolution !== undefined ? { resolution } : {}) } })),
  (ticketId, now, license) =>
    fc
      .record({ actor: staffOrRequester(license), details: fc.option(fc.constantFrom('', 'Fixed the export job'), { nil: undefined }) })
      .map(({ actor, details }) => ({ type: 'CloseTicket' as const, now, actor, data: { ticketId, ...(details !== undefined ? { resolutionDetails: details } : {}) } })),
  (ticketId, now, license) => staffOrRequester(license).map((actor) => ({ type: 'ReopenTicket' as const, now, actor, data: { ticketId, reason: 'Still broken' } })),
  (ticketId, now, license) =>
    fc
      .record({ actor: staffOrRequester(license), outage: fc.constantFrom('OUTAGE-0001', 'OUTAGE-0002') })
      .map(({ actor, outage }) => ({ type: 'LinkTicketToOutage' as const, now, actor, data: { ticketId, outageId: outage } })),
];

/** Options for {@link arbTicketScenario}. */
export interface TicketScenarioOptions {
  readonly ticketId?: string;
  readonly ticketNumber?: string;
  readonly maxCommands?: number;
  readonly policy?: SlaPolicy;
  /** Earliest and latest receipt instant (epoch ms). */
  readonly fromMs?: number;
  readonly toMs?: number;
}

/**
 * A plausible command sequence for one ticket: an OpenTicket followed by random lifecycle
 * commands at increasing instants (minutes to days apart). Some commands will be refused;
 * that is part of the point.
 */
export const arbTicketScenario = (options: TicketScenarioOptions = {}): fc.Arbitrary<readonly TicketCommand[]> => {
  const ticketId = options.ticketId ?? 'ticket-1';
  const policy = options.policy ?? defaultPolicy;
  const fromMs = options.fromMs ?? Date.parse('2026-01-01T00:00:00Z');
  const toMs = options.toMs ?? Date.parse('2027-12-31T00:00:00Z');
  return fc
    .record({
      license: arbLicense,
      channel: fc.constantFrom(...CHANNELS),
      receivedMs: fc.integer({ min: fromMs, max: toMs }),
      delayMs: fc.constantFrom(0, 0, 5 * 60_000, 3 * 3_600_000),
      byStaff: fc.boolean(),
      request: arbRequest,
      suggested: fc.option(arbCategory, { nil: undefined }),
      gaps: fc.array(fc.integer({ min: 0, max: 3 * 86_400_000 }), { minLength: 0, maxLength: options.maxCommands ?? 12 }),
      picks: fc.array(fc.nat(steps.length - 1), { minLength: options.maxCommands ?? 12, maxLength: options.maxCommands ?? 12 }),
      seed: fc.integer(),
    })
    .chain(({ license, channel, receivedMs, delayMs, byStaff, request, suggested, gaps, picks }) => {
      const openedMs = receivedMs + (byStaff ? delayMs : 0);
      const open: TicketCommand = {
        type: 'OpenTicket',
        now: renderInstant(openedMs, -300),
        actor: byStaff ? actors.agent : actors[license],
        data: {
          ticketId,
          ticketNumber: options.ticketNumber ?? 'SS-000001',
          channel,
          namedUser: namedUserFor(license),
          request,
          policy,
          ...(byStaff ? { receivedAt: renderInstant(receivedMs) } : {}),
          ...(suggested !== undefined ? { suggestedCategory: suggested } : {}),
        },
      };
      let t = openedMs;
      const rest = gaps.map((gap, i) => {
        t += gap;
        const step = steps[(picks[i] ?? 0) % steps.length] as Step;
        return step(ticketId, renderInstant(t), license);
      });
      return rest.length === 0 ? fc.constant<readonly TicketCommand[]>([open]) : fc.tuple(...rest).map((cs): readonly TicketCommand[] => [open, ...cs]);
    });
};

/** Valid event histories of one ticket (what `decide` accepted from a random scenario). */
export const arbTicketHistory = (options: TicketScenarioOptions = {}): fc.Arbitrary<readonly TicketEvent[]> =>
  arbTicketScenario(options).map((commands) => runCommands<TicketCommand, TicketState, TicketEvent>(ticketDecider, commands).events);

/**
 * Monitor report sequences (possibly out of order, up to an hour late) spread over `spanMs`,
 * and the outage-board history they produce.
 */
export const arbOutageHistory = (maxReports = 30, spanMs = 6 * 3_600_000): fc.Arbitrary<readonly OutageEvent[]> =>
  fc
    .array(
      fc.record({
        monitor: fc.constantFrom(...MONITORS),
        status: fc.constantFrom('up' as const, 'down' as const),
        offsetMs: fc.integer({ min: 0, max: spanMs }),
        lateMs: fc.constantFrom(0, 0, 0, 60_000, 3_600_000),
      }),
      { maxLength: maxReports },
    )
    .map((reports) => {
      const base = Date.parse('2026-06-01T00:00:00Z');
      const commands: OutageCommand[] = reports.map((r) => ({
        type: 'ReportMonitorStatus',
        now: renderInstant(base + r.offsetMs + r.lateMs),
        actor: actors.monitor,
        data: { monitor: r.monitor, status: r.status, observedAt: renderInstant(base + r.offsetMs) },
      }));
      return runCommands<OutageCommand, OutageBoard, OutageEvent>(outageDecider, commands).events;
    });

