import {
  defaultPolicy,
  outageDecider,
  policyDecider,
  ticketDecider,
  type Actor,
  type Category,
  type Channel,
  type DomainEvent,
  type License,
  type Monitor,
  type OutageBoard,
  type OutageCommand,
  type PolicyHistory,
  type RequestDetails,
  type SlaPolicy,
  type TicketCommand,
  type TicketState,
} from '@support-sla/domain';
import type { EnvelopedEvent } from '../audit/audit-timeline.js';

/**
 * Builds event logs for tests by driving the domain's own deciders with commands, so every
 * event is one the domain would really produce, wrapped in envelopes as the service would
 * store them (stream, revision, global position, `occurredAt`, `recordedAt`, actor, ids).
 */
export class EventLog {
  readonly events: EnvelopedEvent[] = [];
  private position = 0n;
  private outageBoard: OutageBoard = outageDecider.initialState;
  private outageRevision = 0n;
  private policies: PolicyHistory = policyDecider.initialState;
  private policyRevision = 0n;

  constructor(readonly policy: SlaPolicy = defaultPolicy) {}

  append(streamId: string, revision: bigint, event: DomainEvent, actor: Actor, recordedAt: string, occurredAt: string): void {
    this.position += 1n;
    const id = `evt-${this.position.toString()}`;
    this.events.push({
      event,
      envelope: {
        eventId: id,
        streamId,
        revision,
        globalPosition: { commit: this.position, prepare: this.position },
        occurredAt,
        recordedAt,
        actorId: actor.id,
        actorRole: actor.role,
        correlationId: `corr-${id}`,
        causationId: `cmd-${id}`,
      },
    });
  }

  ticket(ticketId: string, ticketNumber: string): TicketStory {
    return new TicketStory(this, ticketId, ticketNumber);
  }

  /** A monitor's report (`observedAt` defaults to `now`); the board declares and ends outages. */
  monitor(now: string, monitor: Monitor, status: 'up' | 'down', observedAt: string = now): this {
    return this.outage({ type: 'ReportMonitorStatus', now, actor: { id: `monitor-${monitor}`, role: 'monitor' }, data: { monitor, status, observedAt } });
  }

  debrief(now: string, outageId: string): this {
    return this.outage({
      type: 'RecordOutageDebrief',
      now,
      actor: AGENT,
      data: { outageId, whenItOccurred: 'At 09:00.', howItOccurred: 'A bad deploy.', preventionPlan: 'Canary releases.' },
    });
  }

  /** Staff declare an outage the monitors do not all see. */
  declareOutage(now: string, scope = 'All districts', reason = 'Most users cannot log in'): this {
    return this.outage({ type: 'DeclareOutage', now, actor: AGENT, data: { scope, reason } });
  }

  endOutage(now: string, outageId: string): this {
    return this.outage({ type: 'EndOutage', now, actor: AGENT, data: { outageId } });
  }

  /** The alert system delivered the outage alert to the on-call engineers. */
  alertSent(now: string, outageId: string, channel: 'email' | 'webhook' = 'email'): this {
    return this.outage({ type: 'RecordOutageAlertSent', now, actor: { id: 'system:alerts', role: 'agent' }, data: { outageId, channel, to: 'oncall@desk.example' } });
  }

  acknowledgeAlert(now: string, outageId: string): this {
    return this.outage({ type: 'AcknowledgeOutageAlert', now, actor: AGENT, data: { outageId } });
  }

  closeOutage(now: string, outageId: string): this {
    return this.outage({ type: 'CloseOutage', now, actor: AGENT, data: { outageId } });
  }

  publish(now: string, policy: SlaPolicy): this {
    const decided = policyDecider.decide({ type: 'PublishPolicy', now, actor: { id: 'admin-1', role: 'admin' }, data: { policy } }, this.policies);
    if (decided._tag === 'Left') throw new Error(`PublishPolicy refused: ${decided.left.code} ${decided.left.message}`);
    for (const e of decided.right) {
      this.policies = policyDecider.evolve(this.policies, e);
      this.append('policies', this.policyRevision++, e, { id: 'admin-1', role: 'admin' }, now, now);
    }
    return this;
  }

  private outage(command: OutageCommand): this {
    const decided = outageDecider.decide(command, this.outageBoard);
    if (decided._tag === 'Left') throw new Error(`${command.type} refused: ${decided.left.code} ${decided.left.message}`);
    for (const e of decided.right) {
      this.outageBoard = outageDecider.evolve(this.outageBoard, e);
      const occurredAt = e.type === 'MonitorReportedStatus' ? e.data.observedAt : e.data.at;
      this.append('outages', this.outageRevision++, e, command.actor, command.now, occurredAt);
    }
    return this;
  }
}

export const AGENT: Actor = { id: 'agent-1', role: 'agent' };
/** The host's mailer and SLA watcher (a system actor with a staff role). */
const MAILER: Actor = { id: 'system:mailer', role: 'agent' };

const USERS: Record<License, Actor> = {
  administrator: { id: 'user-ada', role: 'administrator' },
  publisher: { id: 'user-pat', role: 'publisher' },
  teacher: { id: 'user-tess', role: 'teacher' },
};

export interface OpenOptions {
  readonly license?: License;
  readonly channel?: Channel;
  /** For a phone message typed in later by an agent: when the message was left. */
  readonly receivedAt?: string;
  readonly request?: RequestDetails;
  readonly suggestedCategory?: Category;
}

/** One ticket's story, told as commands to the ticket decider. */
export class TicketStory {
  private state: TicketState = ticketDecider.initialState;
  private revision = 0n;
  private license: License = 'administrator';

  constructor(
    private readonly log: EventLog,
    readonly ticketId: string,
    readonly ticketNumber: string,
  ) {}

  open(now: string, options: OpenOptions = {}): this {
    this.license = options.license ?? 'administrator';
    const user = USERS[this.license];
    const byAgent = options.receivedAt !== undefined;
    return this.run({
      type: 'OpenTicket',
      now,
      actor: byAgent ? AGENT : user,
      data: {
        ticketId: this.ticketId,
        ticketNumber: this.ticketNumber,
        channel: options.channel ?? 'email',
        namedUser: { id: user.id, email: `${user.id}@district.example.org`, license: this.license },
        request: options.request ?? { summary: 'Gradebook export fails', description: 'The CSV export is empty.' },
        policy: this.log.policy,
        ...(options.receivedAt !== undefined ? { receivedAt: options.receivedAt } : {}),
        ...(options.suggestedCategory !== undefined ? { suggestedCategory: options.suggestedCategory } : {}),
      },
    });
  }

  classify(now: string, category: Category, extra: { usersAffected?: number; reason?: string } = {}): this {
    const needsRepro = extra.usersAffected !== undefined;
    return this.run({
      type: 'ClassifyTicket',
      now,
      actor: AGENT,
      data: {
        ticketId: this.ticketId,
        category,
        ...(needsRepro ? { usersAffected: extra.usersAffected, stepsToReproduce: 'Open the page; press save.' } : {}),
        ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      },
    });
  }

  acknowledge(now: string): this {
    return this.run({ type: 'AcknowledgeTicket', now, actor: AGENT, data: { ticketId: this.ticketId } });
  }

  respond(now: string): this {
    return this.run({
      type: 'RespondToTicket',
      now,
      actor: AGENT,
      data:
        this.license === 'administrator'
          ? { ticketId: this.ticketId, message: 'We reproduced it.', actionPlan: 'Fix the export; verify with you.' }
          : { ticketId: this.ticketId, message: 'We reproduced it.', definedAs: 'support-item' },
    });
  }

  awaitCustomer(now: string): this {
    return this.run({ type: 'AwaitCustomer', now, actor: AGENT, data: { ticketId: this.ticketId, reason: 'Need a screenshot.' } });
  }

  customerReplied(now: string): this {
    return this.run({ type: 'RecordCustomerReply', now, actor: USERS[this.license], data: { ticketId: this.ticketId, message: 'Attached.' } });
  }

  resolve(now: string): this {
    return this.run({ type: 'ResolveTicket', now, actor: AGENT, data: { ticketId: this.ticketId, resolution: 'Fixed the export.' } });
  }

  close(now: string): this {
    return this.run({ type: 'CloseTicket', now, actor: AGENT, data: { ticketId: this.ticketId, resolutionDetails: 'The export works again.' } });
  }

  reopen(now: string): this {
    return this.run({ type: 'ReopenTicket', now, actor: USERS[this.license], data: { ticketId: this.ticketId, reason: 'Broken again.' } });
  }

  linkToOutage(now: string, outageId: string): this {
    return this.run({ type: 'LinkTicketToOutage', now, actor: AGENT, data: { ticketId: this.ticketId, outageId } });
  }

  /** The mailer recorded the one restoration notice a linked ticket gets. */
  restorationNotice(now: string, restoredAt: string): this {
    return this.run({
      type: 'RecordNotificationSent',
      now,
      actor: MAILER,
      data: { ticketId: this.ticketId, purpose: 'outage-restored', messageId: `<restored.${this.ticketId}@desk.example>`, restoredAt },
    });
  }

  /** The SLA watcher raised an alert that fell due at `dueAt` (under the log's policy). */
  slaAlert(now: string, clock: 'confirmation' | 'response', level: string, dueAt: string): this {
    return this.run({ type: 'RaiseSlaAlert', now, actor: MAILER, data: { ticketId: this.ticketId, clock, level, dueAt, policy: this.log.policy } });
  }

  /** The mailer delivered a raised SLA alert on one channel. */
  slaAlertSent(now: string, clock: 'confirmation' | 'response', level: string, channel: 'email' | 'webhook'): this {
    const to = channel === 'email' ? 'sla-alerts@desk.example' : 'https://hooks.desk.example';
    return this.run({ type: 'RecordSlaAlertSent', now, actor: MAILER, data: { ticketId: this.ticketId, clock, level, channel, to } });
  }

  private run(command: TicketCommand): this {
    const decided = ticketDecider.decide(command, this.state);
    if (decided._tag === 'Left') throw new Error(`${command.type} on ${this.ticketNumber} refused: ${decided.left.code} ${decided.left.message}`);
    for (const e of decided.right) {
      this.state = ticketDecider.evolve(this.state, e);
      // A phone message happened when it was left; everything else when it was recorded.
      const occurredAt = e.type === 'TicketOpened' ? e.data.receivedAt : e.data.at;
      this.log.append(`ticket-${this.ticketId}`, this.revision++, e, command.actor, command.now, occurredAt);
    }
    return this;
  }
}
