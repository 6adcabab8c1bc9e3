import { CURRENT_SCHEMA_VERSION, defaultPolicy, ticketDecider, type DomainEvent, type TicketCommand, type TicketState } from '@support-sla/domain';
import { actors, openTicketCommand, runCommands, ticketCommands } from '@support-sla/domain/testing';
import { evolveReadModels, readModelsProjection } from '@support-sla/projections';
import { decideNotifications, duePointsOf, type NotificationEffect, type NotificationRules } from './decide-notifications';

/**
 * Given the log so far (folded into read models as the service folds it), when one more event is
 * folded, then these effects: no store, no clock, no templates.
 */
const given = (rules: NotificationRules = { oncallEmail: 'oncall@example.org' }) => {
  const model = readModelsProjection().initialState();
  const states = new Map<string, TicketState>();
  let seq = 0;
  const fold = (event: DomainEvent, streamId: string): readonly NotificationEffect[] => {
    const transition = evolveReadModels(model, event);
    return decideNotifications({ event, eventId: `E-${++seq}`, streamId, transition, readModels: model }, rules);
  };
  const ticket = (ticketId: string, command: TicketCommand): NotificationEffect[] => {
    const run = runCommands(ticketDecider, [command], states.get(ticketId) ?? ticketDecider.initialState);
    if (run.errors.length > 0) throw new Error(run.errors[0]!.message);
    states.set(ticketId, run.state);
    return run.events.flatMap((event) => [...fold(event, `ticket-${ticketId}`)]);
  };
  const outage = (type: string, data: Record<string, unknown>): readonly NotificationEffect[] =>
    fold({ type, schemaVersion: CURRENT_SCHEMA_VERSION, data: { at: '2026-03-10T14:10:00Z', by: actors.agent, ...data } } as DomainEvent, 'outage-board');
  return { model, ticket, outage, fold };
};

const kinds = (effects: readonly NotificationEffect[]): string[] => effects.map((e) => e.kind);
const open = (ticketId = 'T-1', license: 'administrator' | 'teacher' = 'administrator') => openTicketCommand({ ticketId, ticketNumber: `SS-00000${ticketId.slice(2)}`, license });

describe('decideNotifications', () => {
  it('TicketOpened under automatic confirmation: alert points and a confirmation, with the ticket as opened and its policy', () => {
    const { ticket } = given();
    const effects = ticket('T-1', open());
    expect(kinds(effects)).toEqual(['alert-points', 'confirmation']);
    const confirmation = effects[1] as Extract<NotificationEffect, { kind: 'confirmation' }>;
    expect(confirmation.ticket.ticketNumber).toBe('SS-000001');
    expect(confirmation.policy.version).toBe(defaultPolicy.version);
    expect(confirmation.triggerId).toBe('E-1');
    const points = effects[0] as Extract<NotificationEffect, { kind: 'alert-points' }>;
    expect(points.streamId).toBe('ticket-T-1');
    expect(duePointsOf(points).map((p) => `${p.clock} ${p.level}`)).toContain('confirmation breach');
  });

  it('TicketOpened under an agent-confirmation policy (the version it pins, as the log published it): alert points only', () => {
    const { ticket, fold } = given();
    const manual = { ...defaultPolicy, version: 2, confirmation: 'agent' as const };
    fold({ type: 'PolicyPublished', schemaVersion: CURRENT_SCHEMA_VERSION, data: { at: '2026-03-09T14:00:00Z', by: actors.admin, policy: manual } }, 'policy-2');
    const effects = ticket('T-1', openTicketCommand({ ticketId: 'T-1', policy: manual }));
    expect(kinds(effects)).toEqual(['alert-points']);
  });

  it('SLA_WARNING_FRACTIONS override the policy fractions of the alert points', () => {
    const { ticket } = given({ warningFractions: [0.5] });
    const [points] = ticket('T-1', open());
    expect(duePointsOf(points as Extract<NotificationEffect, { kind: 'alert-points' }>).map((p) => `${p.clock} ${p.level}`)).toEqual([
      'confirmation 0.5',
      'confirmation breach',
      'response 0.5',
      'response breach',
    ]);
  });

  it('TicketAcknowledged: new alert points, and the confirmation not out yet is dropped', () => {
    const { ticket } = given();
    ticket('T-1', open());
    const effects = ticket('T-1', ticketCommands('T-1').acknowledge('2026-03-10T14:30:00Z'));
    expect(effects).toEqual([expect.objectContaining({ kind: 'alert-points' }), { kind: 'suppress-confirmation', ticketId: 'T-1', reason: 'the ticket was acknowledged first' }]);
  });

  it('TicketClosed: the resolution to the contact it names, and the confirmation not out yet is dropped', () => {
    const { ticket } = given();
    const commands = ticketCommands('T-1');
    ticket('T-1', open());
    ticket('T-1', commands.classify('2026-03-10T14:20:00Z', { category: 'personal/how-to' }));
    ticket('T-1', commands.resolve('2026-03-10T15:00:00Z', 'Re-ran the export'));
    const effects = ticket('T-1', { type: 'CloseTicket', now: '2026-03-10T15:30:00Z', actor: actors.agent, data: { ticketId: 'T-1', resolutionDetails: 'Export fixed' } });
    expect(kinds(effects)).toEqual(['alert-points', 'suppress-confirmation', 'resolution']);
    expect(effects[2]).toMatchObject({ kind: 'resolution', details: 'Export fixed', to: 'ada@district.example.org', at: '2026-03-10T15:30:00Z' });
  });

  it('TicketNotificationSent: an unsent e-mail with that Message-ID is dropped (it went out from another mail file)', () => {
    const { ticket } = given();
    ticket('T-1', open());
    const effects = ticket('T-1', {
      type: 'RecordNotificationSent',
      now: '2026-03-10T15:30:00Z',
      actor: { id: 'system:mailer', role: 'agent' },
      data: { ticketId: 'T-1', purpose: 'resolution', messageId: '<resolution.SS-000001.E-9@x>' },
    });
    expect(effects[effects.length - 1]).toEqual({ kind: 'suppress-recorded-as-sent', dedupeKey: 'resolution:T-1', messageId: '<resolution.SS-000001.E-9@x>' });
  });

  it('TicketLinkedToOutage while the outage lasts: the confirmation is withheld', () => {
    const { ticket, outage } = given();
    outage('OutageDeclared', { outageId: 'OUTAGE-0001', declaredAt: '2026-03-10T14:10:00Z' });
    ticket('T-1', open());
    const effects = ticket('T-1', { type: 'LinkTicketToOutage', now: '2026-03-10T14:30:00Z', actor: actors.agent, data: { ticketId: 'T-1', outageId: 'OUTAGE-0001' } });
    expect(effects[effects.length - 1]).toEqual({ kind: 'suppress-confirmation', ticketId: 'T-1', reason: 'linked to outage OUTAGE-0001 while it was declared' });
  });

  it('TicketLinkedToOutage after the outage ended: the restoration notice at once, triggered by the link', () => {
    const { ticket, outage } = given();
    outage('OutageDeclared', { outageId: 'OUTAGE-0001', declaredAt: '2026-03-10T14:10:00Z' });
    outage('OutageEnded', { outageId: 'OUTAGE-0001', endedAt: '2026-03-10T15:00:00Z', endedBy: 'staff' });
    ticket('T-1', open());
    const effects = ticket('T-1', { type: 'LinkTicketToOutage', now: '2026-03-10T15:30:00Z', actor: actors.agent, data: { ticketId: 'T-1', outageId: 'OUTAGE-0001' } });
    const notice = effects.find((e) => e.kind === 'outage-restored');
    expect(notice).toMatchObject({
      outageId: 'OUTAGE-0001',
      declaredAtMs: Date.parse('2026-03-10T14:10:00Z'),
      endedAtMs: Date.parse('2026-03-10T15:00:00Z'),
      timeZone: 'America/New_York',
      ticket: { ticketId: 'T-1', contactEmail: 'ada@district.example.org', summary: 'Gradebook export fails' },
    });
  });

  it('OutageDeclared: the on-call alert, and with no ONCALL_EMAIL also its absence to report', () => {
    expect(kinds(given().outage('OutageDeclared', { outageId: 'OUTAGE-0001', declaredAt: '2026-03-10T14:10:00Z' }))).toEqual(['outage-alert']);
    expect(kinds(given({}).outage('OutageDeclared', { outageId: 'OUTAGE-0001', declaredAt: '2026-03-10T14:10:00Z' }))).toEqual(['outage-alert', 'oncall-unset']);
  });

  it('OutageEnded: one restoration notice per linked open ticket, by ticket number; unrelated tickets get none', () => {
    const { ticket, outage } = given();
    outage('OutageDeclared', { outageId: 'OUTAGE-0001', declaredAt: '2026-03-10T14:10:00Z' });
    for (const id of ['T-3', 'T-1', 'T-2']) ticket(id, open(id, 'teacher'));
    for (const id of ['T-3', 'T-1']) ticket(id, { type: 'LinkTicketToOutage', now: '2026-03-10T14:30:00Z', actor: actors.agent, data: { ticketId: id, outageId: 'OUTAGE-0001' } });
    const effects = outage('OutageEnded', { outageId: 'OUTAGE-0001', endedAt: '2026-03-10T15:00:00Z', endedBy: 'staff' });
    const ended = effects[0]?.kind === 'outage-restored' ? effects[0].triggerId : undefined;
    expect(effects.map((e) => (e.kind === 'outage-restored' ? `${e.ticket.ticketId} ${e.triggerId}` : e.kind))).toEqual([`T-1 ${ended}`, `T-3 ${ended}`]);
  });

  it('OutageEnded: a linked ticket closed before the outage ended gets its notice too, with its name and summary from the archive', () => {
    const { model, ticket, outage } = given();
    outage('OutageDeclared', { outageId: 'OUTAGE-0001', declaredAt: '2026-03-10T14:10:00Z' });
    const named = open('T-1');
    ticket('T-1', { ...named, data: { ...named.data, namedUser: { ...named.data.namedUser, name: 'Ada Lovelace' }, request: { summary: 'Portal is down', description: 'Nothing loads.' } } });
    ticket('T-2', open('T-2', 'teacher'));
    const commands = ticketCommands('T-1');
    for (const id of ['T-1', 'T-2']) ticket(id, { type: 'LinkTicketToOutage', now: '2026-03-10T14:30:00Z', actor: actors.agent, data: { ticketId: id, outageId: 'OUTAGE-0001' } });
    ticket('T-1', commands.classify('2026-03-10T14:40:00Z', { category: 'technical/outage' }));
    ticket('T-1', commands.resolve('2026-03-10T14:50:00Z', 'Worked around it'));
    ticket('T-1', { type: 'CloseTicket', now: '2026-03-10T14:55:00Z', actor: actors.agent, data: { ticketId: 'T-1', resolutionDetails: 'Worked around it' } });
    expect(model.closed.has('T-1')).toBe(true);

    const effects = outage('OutageEnded', { outageId: 'OUTAGE-0001', endedAt: '2026-03-10T15:00:00Z', endedBy: 'staff' });
    const triggerId = effects[0]?.kind === 'outage-restored' ? effects[0].triggerId : undefined;
    expect(triggerId).toMatch(/^E-/);
    expect(effects).toEqual([
      {
        kind: 'outage-restored',
        ticket: { ticketId: 'T-1', ticketNumber: 'SS-000001', contactEmail: 'ada@district.example.org', contactName: 'Ada Lovelace', summary: 'Portal is down' },
        outageId: 'OUTAGE-0001',
        declaredAtMs: Date.parse('2026-03-10T14:10:00Z'),
        endedAtMs: Date.parse('2026-03-10T15:00:00Z'),
        timeZone: 'America/New_York',
        triggerId,
      },
      expect.objectContaining({ kind: 'outage-restored', ticket: expect.objectContaining({ ticketId: 'T-2', contactName: null, summary: 'Gradebook export fails' }), triggerId }),
    ]);
  });

  it('OutageAlertSent drops the same alert not out yet; OutageClosed every alert of the outage not out yet', () => {
    const { outage } = given();
    expect(outage('OutageAlertSent', { outageId: 'OUTAGE-0001', channel: 'webhook', to: 'https://pager.example.org' })).toEqual([
      { kind: 'suppress-alert-recorded-as-sent', outageId: 'OUTAGE-0001', channel: 'webhook' },
    ]);
    expect(outage('OutageClosed', { outageId: 'OUTAGE-0001' })).toEqual([
      { kind: 'suppress-unsent-alerts', outageId: 'OUTAGE-0001', reason: 'outage OUTAGE-0001 was closed before its alert went out' },
    ]);
  });

  it('a ticket pinning a policy version the read models do not know: nothing but that, to report', () => {
    const { fold } = given();
    const run = runCommands(ticketDecider, [openTicketCommand({ ticketId: 'T-1', policy: { ...defaultPolicy, version: 7 } })]);
    const effects = run.events.flatMap((e) => [...fold(e, 'ticket-T-1')]);
    expect(effects).toEqual([{ kind: 'unknown-policy', ticketNumber: 'SS-000001', policyVersion: 7 }]);
  });

  it('events that change no ticket and monitor reports: nothing', () => {
    const { outage } = given();
    expect(outage('MonitorReportedStatus', { monitor: 'chicago', status: 'down', observedAt: '2026-03-10T14:10:00Z' })).toEqual([]);
  });

  it('is pure: the same event over the same read models decides the same effects', () => {
    const a = given().ticket('T-1', open());
    const b = given().ticket('T-1', open());
    expect(a).toEqual(b);
  });

  describe('SLA alerts', () => {
    const raise = (clock: 'confirmation' | 'response', level: string, dueAt: string, now = dueAt): TicketCommand => ({
      type: 'RaiseSlaAlert',
      now,
      actor: actors.agent,
      data: { ticketId: 'T-1', clock, level, dueAt, policy: defaultPolicy },
    });
    /** When the ticket's `clock` reaches `level`, as its alert points say after opening. */
    const dueOf = (opened: readonly NotificationEffect[], clock: string, level: string): string => {
      const points = opened.find((e): e is Extract<NotificationEffect, { kind: 'alert-points' }> => e.kind === 'alert-points');
      const due = points === undefined ? undefined : duePointsOf(points).find((p) => p.clock === clock && p.level === level);
      if (due === undefined) throw new Error(`no ${clock} ${level} point`);
      return new Date(due.due_at).toISOString();
    };

    it('TicketSlaAlertRaised: the alert, with the ticket as of it and its policy, and no new alert points', () => {
      const { ticket } = given();
      const halfConfirmation = dueOf(ticket('T-1', open()), 'confirmation', '0.5');
      const effects = ticket('T-1', raise('confirmation', '0.5', halfConfirmation, new Date(Date.parse(halfConfirmation) + 30_000).toISOString()));
      expect(effects).toEqual([
        { kind: 'sla-alert', ticket: expect.objectContaining({ ticketId: 'T-1', ticketNumber: 'SS-000001' }), policy: defaultPolicy, clock: 'confirmation', level: '0.5', dueAtMs: Date.parse(halfConfirmation) },
      ]);
    });

    it('TicketSlaAlertSent: that channel of the alert is dropped if not out yet', () => {
      const { ticket } = given();
      const halfConfirmation = dueOf(ticket('T-1', open()), 'confirmation', '0.5');
      ticket('T-1', raise('confirmation', '0.5', halfConfirmation));
      const effects = ticket('T-1', {
        type: 'RecordSlaAlertSent',
        now: new Date(Date.parse(halfConfirmation) + 5_000).toISOString(),
        actor: actors.agent,
        data: { ticketId: 'T-1', clock: 'confirmation', level: '0.5', channel: 'webhook', to: 'https://hooks.example.org' },
      });
      expect(effects).toEqual([{ kind: 'suppress-sla-alert-recorded-as-sent', ticketId: 'T-1', clock: 'confirmation', level: '0.5', channel: 'webhook' }]);
    });

    it('TicketSlaAlertSent after the ticket closed (the read models keep no alerts of a closed ticket): still dropped', () => {
      const { ticket, fold } = given();
      const commands = ticketCommands('T-1');
      const breach = dueOf(ticket('T-1', open()), 'confirmation', 'breach');
      const later = (minutes: number): string => new Date(Date.parse(breach) + minutes * 60_000).toISOString();
      expect(kinds(ticket('T-1', raise('confirmation', 'breach', breach)))).toEqual(['sla-alert']);
      ticket('T-1', commands.classify(later(10), { category: 'personal/how-to' }));
      ticket('T-1', commands.resolve(later(20), 'Done'));
      ticket('T-1', { type: 'CloseTicket', now: later(30), actor: actors.agent, data: { ticketId: 'T-1', resolutionDetails: 'Done' } });
      const sent: DomainEvent = {
        type: 'TicketSlaAlertSent',
        schemaVersion: CURRENT_SCHEMA_VERSION,
        data: { ticketId: 'T-1', at: later(31), by: actors.agent, clock: 'confirmation', level: 'breach', channel: 'email', to: 'sla@example.org' },
      };
      expect(fold(sent, 'ticket-T-1')).toEqual([{ kind: 'suppress-sla-alert-recorded-as-sent', ticketId: 'T-1', clock: 'confirmation', level: 'breach', channel: 'email' }]);
    });
  });
});
