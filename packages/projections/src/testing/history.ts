import { CATEGORIES, priorityClassOf, type Actor, type Category, type Channel, type DomainEvent, type License, type Monitor, type PriorityClass, type Role, type Tier } from '@support-sla/domain';
import { defineCalendar, isOpenAt, nextOpeningMillis } from '@support-sla/sla-calendar';
import type { EnvelopeMetadata, EventEnvelope } from '../envelope.js';
import { mulberry32, type Prng } from '../support/prng.js';
import { MinHeap } from './heap.js';

/**
 * A seeded generator of realistic support histories, streamed lazily: it holds only the tickets
 * still in flight and their next step, never the history itself. The same options always give
 * the same events, byte for byte.
 *
 * Proportions (plausible for a K-12 product desk, and easy to change here):
 * - tiers: 25 % Premium (administrators), 75 % Professional (publishers 45 %, teachers 30 %);
 * - channels: Premium phone 20 %, e-mail 35 %, chat 20 %, dashboard 10 %, web portal 15 %;
 *   Professional e-mail 45 %, chat 25 %, dashboard 12 %, web portal 18 %;
 * - classes: how-to 35 %, technical questions 30 %, errors 33 %, outages 2 %;
 * - 5 % of tickets are reclassified, 30 % wait on the customer once, 3 % are reopened;
 * - phone messages are entered 5–90 minutes after they were left (late entries);
 * - arrivals follow the New York working day, with a trickle at night and at weekends;
 * - one outage every ~500 tickets: three monitors go down, one comes back, a debrief follows,
 *   and tickets arriving during it are linked to it.
 */
export interface HistoryOptions {
  readonly seed: number;
  /** Stop after this many events. */
  readonly events: number;
  /** First arrival (epoch ms). Default 2026-01-05T13:00:00Z (a Monday, 08:00 New York). */
  readonly startMs?: number;
  /** Mean tickets per business hour. Default 30. */
  readonly ticketsPerBusinessHour?: number;
  /** Policy version pinned by new tickets. Default 1. */
  readonly policyVersion?: number;
}

/** One generated event with the metadata a store would keep beside it. */
export interface GeneratedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly event: DomainEvent;
  readonly metadata: EnvelopeMetadata;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// The agreement's request types, grouped by the priority class the domain gives them.
const inClass = (priority: PriorityClass): readonly Category[] => CATEGORIES.filter((c) => priorityClassOf(c) === priority);
const HOW_TO = inClass('how-to');
const QUESTIONS = inClass('technical-question');
const ERRORS = inClass('error');

const pick = <T>(prng: Prng, items: readonly T[]): T => items[prng.int(0, items.length - 1)] as T;

// The desk's working hours, 08:00–18:00 New York time on weekdays (no holidays): the calendar
// package handles the time zone and daylight saving.
const WORKING_HOURS = defineCalendar({
  timeZone: 'America/New_York',
  weeklyHours: (['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const).map((day) => ({ day, start: '08:00', end: '18:00' })),
});

const isWorkingTime = (ms: number): boolean => isOpenAt(WORKING_HOURS, ms);

/** The next instant at or after `ms` inside 08:00–18:00 New York on a weekday (plus a little jitter). */
const nextWorkingTime = (ms: number, prng: Prng): number =>
  isWorkingTime(ms) ? ms : nextOpeningMillis(WORKING_HOURS, ms) + prng.int(0, 20) * MINUTE;

const iso = (ms: number): string => new Date(ms).toISOString();

type Step =
  | 'classify'
  | 'acknowledge'
  | 'respond'
  | 'await'
  | 'reply'
  | 'reclassify'
  | 'resolve'
  | 'close'
  | 'reopen'
  | 'outage-down'
  | 'outage-up'
  | 'outage-debrief'
  | 'outage-close';

interface TicketSim {
  readonly kind: 'ticket';
  readonly id: string;
  readonly number: string;
  readonly tier: Tier;
  readonly user: { readonly id: string; readonly license: License };
  category: Category;
  usersAffected: number | undefined;
  revision: number;
  acknowledged: boolean;
  responded: boolean;
  waited: boolean;
  reclassified: boolean;
  reopened: boolean;
  readonly agent: string;
}

interface OutageSim {
  readonly kind: 'outage';
  readonly id: string;
  revision: number;
  monitorsDown: number;
  declaredAtMs: number;
}

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly step: Step;
  readonly sim: TicketSim | OutageSim;
}

const categoryOf = (prng: Prng): Category => {
  const cls = prng.weighted<'how-to' | 'question' | 'error' | 'outage'>([
    ['how-to', 35],
    ['question', 30],
    ['error', 33],
    ['outage', 2],
  ]);
  if (cls === 'how-to') return pick(prng, HOW_TO);
  if (cls === 'question') return pick(prng, QUESTIONS);
  if (cls === 'error') return pick(prng, ERRORS);
  return 'technical/outage';
};

const isError = (c: Category): boolean => (ERRORS as readonly string[]).includes(c);

/** Streams a generated history, event by event, in recorded order. */
export function* generateHistory(options: HistoryOptions): Generator<GeneratedEvent, void, undefined> {
  let count = 0;
  for (const event of simulate(options)) {
    if (count++ >= options.events) return;
    yield event;
  }
}

function* simulate(options: HistoryOptions): Generator<GeneratedEvent, void, undefined> {
  const prng = mulberry32(options.seed);
  const policyVersion = options.policyVersion ?? 1;
  const perHour = options.ticketsPerBusinessHour ?? 30;
  const heap = new MinHeap<Pending>();
  let seq = 0;
  let position = 0;
  let ticketCount = 0;
  let outageCount = 0;
  let nextArrival = options.startMs ?? Date.UTC(2026, 0, 5, 13, 0, 0);
  let openOutage: OutageSim | undefined;
  let lastRecorded = 0;
  let boardRevision = 0;

  const schedule = (at: number, step: Step, sim: TicketSim | OutageSim): void => heap.push({ at, seq: seq++, step, sim });

  const emit = (
    sim: TicketSim | OutageSim | 'monitors',
    event: DomainEvent,
    recordedMs: number,
    actor: Actor,
    occurredMs: number = recordedMs,
  ): GeneratedEvent => {
    // A store stamps recordedAt itself and never goes backwards.
    const recorded = Math.max(recordedMs, lastRecorded);
    lastRecorded = recorded;
    // Monitor reports and outages share one stream, the outage board, as in the domain.
    const revision = sim === 'monitors' || sim.kind === 'outage' ? boardRevision++ : sim.revision++;
    const streamId = sim === 'monitors' || sim.kind === 'outage' ? 'outages' : `ticket-${sim.id}`;
    const id = `evt-${(position + 1).toString(36)}`;
    const generated: GeneratedEvent = {
      id,
      streamId,
      revision,
      position: position++,
      event,
      metadata: {
        occurredAt: iso(Math.min(occurredMs, recorded)),
        recordedAt: iso(recorded),
        actorId: actor.id,
        actorRole: actor.role,
        correlationId: `corr-${streamId}`,
        causationId: id,
      },
    };
    return generated;
  };

  const by = (id: string, role: Role): Actor => ({ id, role });
  let produced = 0;

  while (produced < options.events) {
    const due = heap.peek();
    if (due === undefined || nextArrival <= due.at) {
      // A new ticket arrives.
      const at = nextArrival;
      const rate = isWorkingTime(at) ? perHour : perHour / 15;
      nextArrival = at + Math.max(1000, Math.round(-Math.log(1 - prng.next()) * (HOUR / rate)));
      ticketCount += 1;
      const license = prng.weighted<License>([
        ['administrator', 25],
        ['publisher', 45],
        ['teacher', 30],
      ]);
      const tier: Tier = license === 'administrator' ? 'premium' : 'professional';
      const channel = prng.weighted<Channel>(
        tier === 'premium'
          ? [
              ['phone', 20],
              ['email', 35],
              ['chat', 20],
              ['dashboard', 10],
              ['web-portal', 15],
            ]
          : [
              ['email', 45],
              ['chat', 25],
              ['dashboard', 12],
              ['web-portal', 18],
            ],
      );
      const category = categoryOf(prng);
      const sim: TicketSim = {
        kind: 'ticket',
        id: `t${ticketCount.toString().padStart(7, '0')}`,
        number: `SS-${ticketCount.toString().padStart(6, '0')}`,
        tier,
        user: { id: `user-${prng.int(1, 20_000)}`, license },
        category,
        usersAffected: isError(category) ? prng.weighted([[1, 60], [prng.int(2, 20), 30], [prng.int(21, 500), 10]]) : undefined,
        revision: 0,
        acknowledged: false,
        responded: false,
        waited: false,
        reclassified: false,
        reopened: false,
        agent: `agent-${prng.int(1, 25)}`,
      };
      // Phone messages are typed in by an agent a little after they were left.
      const entered = channel === 'phone' ? at + prng.int(5, 90) * MINUTE : at;
      const actor = channel === 'phone' ? by(sim.agent, 'agent') : by(sim.user.id, license);
      const request =
        sim.usersAffected === undefined
          ? { summary: `Request ${sim.number}`, description: 'What happened and what was expected.' }
          : {
              summary: `Error ${sim.number}`,
              description: 'An error shown on the page.',
              stepsToReproduce: 'Open the page; press save.',
              usersAffected: sim.usersAffected,
            };
      yield emit(
        sim,
        {
          type: 'TicketOpened',
          schemaVersion: 1,
          data: {
            ticketId: sim.id,
            at: iso(entered),
            by: actor,
            ticketNumber: sim.number,
            receivedAt: iso(at),
            channel,
            namedUser: { id: sim.user.id, email: `${sim.user.id}@school.example`, license },
            tier,
            request,
            policyVersion,
          },
        },
        entered,
        actor,
        at,
      );
      yield emit(
        sim,
        { type: 'TicketQueued', schemaVersion: 1, data: { ticketId: sim.id, at: iso(entered), by: actor, queue: `${tier}:unclassified` } },
        entered,
        actor,
      );
      produced += 2;
      if (prng.chance(0.6)) {
        // Automatic confirmation e-mail.
        sim.acknowledged = true;
        yield emit(
          sim,
          {
            type: 'TicketAcknowledged',
            schemaVersion: 1,
            data: { ticketId: sim.id, at: iso(entered), by: { id: 'system:mailer', role: 'agent' }, automatic: true, notifyEmail: `${sim.user.id}@school.example` },
          },
          entered,
          by('system:mailer', 'agent'),
        );
        produced += 1;
      }
      schedule(nextWorkingTime(entered + prng.int(2, 90) * MINUTE, prng), 'classify', sim);
      if (category === 'technical/outage' && openOutage === undefined && prng.chance(0.1)) {
        outageCount += 1;
        openOutage = { kind: 'outage', id: `OUTAGE-${outageCount.toString().padStart(4, '0')}`, revision: 0, monitorsDown: 0, declaredAtMs: 0 };
        schedule(at + prng.int(1, 10) * MINUTE, 'outage-down', openOutage);
      }
      if (openOutage !== undefined && openOutage.declaredAtMs > 0 && prng.chance(0.3)) {
        yield emit(
          sim,
          { type: 'TicketLinkedToOutage', schemaVersion: 1, data: { ticketId: sim.id, at: iso(entered), by: by(sim.agent, 'agent'), outageId: openOutage.id } },
          entered,
          by(sim.agent, 'agent'),
        );
        produced += 1;
      }
      continue;
    }
    heap.pop();
    const { at, step, sim } = due;
    if (sim.kind === 'outage') {
      const monitors: readonly Monitor[] = ['chicago', 'california', 'atlanta'];
      const monitorActor = (m: Monitor) => by(`monitor:${m}`, 'monitor');
      if (step === 'outage-down') {
        const m = monitors[sim.monitorsDown] as Monitor;
        sim.monitorsDown += 1;
        yield emit(
          'monitors',
          { type: 'MonitorReportedStatus', schemaVersion: 1, data: { at: iso(at), by: monitorActor(m), monitor: m, status: 'down', observedAt: iso(at) } },
          at,
          monitorActor(m),
        );
        produced += 1;
        if (sim.monitorsDown < 3) schedule(at + prng.int(1, 4) * MINUTE, 'outage-down', sim);
        else {
          sim.declaredAtMs = at;
          yield emit(sim, { type: 'OutageDeclared', schemaVersion: 1, data: { at: iso(at), by: monitorActor(m), outageId: sim.id, declaredAt: iso(at) } }, at, monitorActor(m));
          produced += 1;
          schedule(at + prng.int(10, 240) * MINUTE, 'outage-up', sim);
        }
      } else if (step === 'outage-up') {
        const m = pick(prng, monitors);
        yield emit(
          'monitors',
          { type: 'MonitorReportedStatus', schemaVersion: 1, data: { at: iso(at), by: monitorActor(m), monitor: m, status: 'up', observedAt: iso(at) } },
          at,
          monitorActor(m),
        );
        yield emit(sim, { type: 'OutageEnded', schemaVersion: 1, data: { at: iso(at), by: monitorActor(m), outageId: sim.id, endedAt: iso(at), endedBy: m } }, at, monitorActor(m));
        produced += 2;
        openOutage = undefined;
        schedule(nextWorkingTime(at + prng.int(2, 48) * HOUR, prng), 'outage-debrief', sim);
      } else if (step === 'outage-debrief') {
        const admin = by('admin-1', 'admin');
        yield emit(
          sim,
          {
            type: 'OutageDebriefRecorded',
            schemaVersion: 1,
            data: {
              at: iso(at),
              by: admin,
              outageId: sim.id,
              whenItOccurred: 'At the declared time.',
              howItOccurred: 'A failed deployment.',
              preventionPlan: 'Canary deployments.',
            },
          },
          at,
          admin,
        );
        produced += 1;
        schedule(at + prng.int(5, 60) * MINUTE, 'outage-close', sim);
      } else {
        const admin = by('admin-1', 'admin');
        yield emit(sim, { type: 'OutageClosed', schemaVersion: 1, data: { at: iso(at), by: admin, outageId: sim.id } }, at, admin);
        produced += 1;
      }
      continue;
    }
    const agent = by(sim.agent, 'agent');
    const base = { ticketId: sim.id, at: iso(at), by: agent };
    const email = `${sim.user.id}@school.example`;
    const queueEvent = (): DomainEvent => ({
      type: 'TicketQueued',
      schemaVersion: 1,
      data: { ...base, queue: `${sim.tier}:${queueClass(sim.category)}` },
    });
    switch (step) {
      case 'classify': {
        yield emit(sim, { type: 'TicketClassified', schemaVersion: 1, data: { ...base, category: sim.category, reclassified: false } }, at, agent);
        yield emit(sim, queueEvent(), at, agent);
        produced += 2;
        if (!sim.acknowledged) schedule(at + prng.int(1, 200) * MINUTE, 'acknowledge', sim);
        else schedule(nextWorkingTime(at + prng.int(10, 12 * 60) * MINUTE, prng), 'respond', sim);
        break;
      }
      case 'acknowledge': {
        sim.acknowledged = true;
        yield emit(sim, { type: 'TicketAcknowledged', schemaVersion: 1, data: { ...base, automatic: false, notifyEmail: email } }, at, agent);
        produced += 1;
        schedule(nextWorkingTime(at + prng.int(10, 12 * 60) * MINUTE, prng), 'respond', sim);
        break;
      }
      case 'respond': {
        sim.responded = true;
        const data =
          sim.tier === 'premium'
            ? { ...base, message: 'We are on it.', definedAs: 'support-ticket' as const, actionPlan: 'Reproduce, fix, verify.' }
            : { ...base, message: 'We are on it.', definedAs: prng.chance(0.8) ? ('support-item' as const) : ('project' as const) };
        yield emit(sim, { type: 'TicketResponded', schemaVersion: 1, data }, at, agent);
        produced += 1;
        if (!sim.reclassified && prng.chance(0.05)) schedule(at + prng.int(5, 120) * MINUTE, 'reclassify', sim);
        else if (!sim.waited && prng.chance(0.3)) schedule(at + prng.int(5, 240) * MINUTE, 'await', sim);
        else schedule(nextWorkingTime(at + prng.int(30, 3 * 24 * 60) * MINUTE, prng), 'resolve', sim);
        break;
      }
      case 'reclassify': {
        sim.reclassified = true;
        const previous = sim.category;
        sim.category = previous === 'personal/how-to' ? 'technical/question/configuration' : 'personal/how-to';
        sim.usersAffected = undefined;
        yield emit(
          sim,
          { type: 'TicketClassified', schemaVersion: 1, data: { ...base, category: sim.category, reclassified: true, previousCategory: previous, reason: 'Triage found a different cause.' } },
          at,
          agent,
        );
        yield emit(sim, queueEvent(), at, agent);
        produced += 2;
        schedule(nextWorkingTime(at + prng.int(30, 2 * 24 * 60) * MINUTE, prng), 'resolve', sim);
        break;
      }
      case 'await': {
        sim.waited = true;
        yield emit(sim, { type: 'TicketAwaitingCustomer', schemaVersion: 1, data: { ...base, reason: 'Asked for a screenshot.' } }, at, agent);
        produced += 1;
        schedule(at + prng.int(20, 3 * 24 * 60) * MINUTE, 'reply', sim);
        break;
      }
      case 'reply': {
        const user = by(sim.user.id, sim.user.license);
        yield emit(sim, { type: 'CustomerReplied', schemaVersion: 1, data: { ...base, by: user, message: 'Here it is.' } }, at, user);
        produced += 1;
        schedule(nextWorkingTime(at + prng.int(30, 2 * 24 * 60) * MINUTE, prng), 'resolve', sim);
        break;
      }
      case 'resolve': {
        yield emit(sim, { type: 'TicketResolved', schemaVersion: 1, data: { ...base, resolution: 'Fixed.' } }, at, agent);
        produced += 1;
        schedule(at + prng.int(1, 60) * MINUTE, 'close', sim);
        break;
      }
      case 'close': {
        yield emit(sim, { type: 'TicketClosed', schemaVersion: 1, data: { ...base, resolutionDetails: 'Fixed; see the notes.', notifyEmail: email } }, at, agent);
        produced += 1;
        if (!sim.reopened && prng.chance(0.03)) schedule(at + prng.int(1, 5 * 24 * 60) * MINUTE, 'reopen', sim);
        break;
      }
      case 'reopen': {
        sim.reopened = true;
        const user = by(sim.user.id, sim.user.license);
        yield emit(sim, { type: 'TicketReopened', schemaVersion: 1, data: { ...base, by: user, reason: 'It happened again.' } }, at, user);
        produced += 1;
        schedule(nextWorkingTime(at + prng.int(30, 2 * 24 * 60) * MINUTE, prng), 'resolve', sim);
        break;
      }
      default:
        break;
    }
  }
}

const queueClass = (c: Category): string => {
  if (c === 'technical/outage') return 'outage';
  if (c === 'personal/how-to') return 'how-to';
  if (isError(c)) return 'error';
  return 'technical-question';
};

/**
 * The JSON line a store-like source writes for one event (bigints as decimal strings). Used by
 * the benchmark and tests to go through the same bytes a store would hold.
 */
export const serializeStoredEvent = (g: GeneratedEvent): string =>
  JSON.stringify({
    id: g.id,
    streamId: g.streamId,
    revision: String(g.revision),
    position: { commit: String(g.position), prepare: String(g.position) },
    type: g.event.type,
    schemaVersion: g.event.schemaVersion,
    data: g.event.data,
    metadata: g.metadata,
  });

/** A generated event as projections receive it (envelope built from its metadata). */
export const envelopedOf = (g: GeneratedEvent): { event: DomainEvent; envelope: EventEnvelope } => ({
  event: g.event,
  envelope: {
    eventId: g.id,
    streamId: g.streamId,
    revision: BigInt(g.revision),
    globalPosition: { commit: BigInt(g.position), prepare: BigInt(g.position) },
    ...g.metadata,
  },
});
