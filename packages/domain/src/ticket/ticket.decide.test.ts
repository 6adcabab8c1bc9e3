import { DeciderSpecification, actors, namedUserFor, openTicketCommand } from '../testing';
import { defaultPolicy } from '../policy/policy.default';
import { decodeCommand } from '../shared/codecs';
import * as E from 'fp-ts/Either';
import { ticketDecider } from './ticket.decider';
import type { TicketEvent } from './ticket.events';
import { command, historyOf, ticketOf } from './ticket.test-support';

const spec = DeciderSpecification.for(ticketDecider);
const T0 = '2026-03-10T13:00:00Z'; // Tuesday 09:00 in New York (EDT)
const T1 = '2026-03-10T14:00:00Z';
const T2 = '2026-03-10T15:00:00Z';
const T3 = '2026-03-10T16:00:00Z';
const T4 = '2026-03-10T17:00:00Z';

const errorRequest = { summary: 'Login fails', description: 'Error 500 after SSO', stepsToReproduce: 'Sign in with SSO', usersAffected: 40 };
const classifiedHowTo = (now: string) => command.classify(now, { category: 'personal/how-to' });
const opened = (options: Parameters<typeof openTicketCommand>[0] = {}) => historyOf(openTicketCommand({ now: T0, ...options }));
const types = (events: readonly TicketEvent[]) => events.map((e) => e.type);

describe('ticket rules', () => {
  describe('tier follows the named user license', () => {
    it('an Administrator gets Premium support', () => {
      spec.given([]).when(openTicketCommand({ license: 'administrator' })).thenEvents(([e]) => {
        expect(e?.type === 'TicketOpened' && e.data.tier).toBe('premium');
      });
    });
    it.each(['publisher', 'teacher'] as const)('a %s gets Professional support', (license) => {
      spec.given([]).when(openTicketCommand({ license })).thenEvents(([e]) => {
        expect(e?.type === 'TicketOpened' && e.data.tier).toBe('professional');
      });
    });
  });

  describe('channels', () => {
    it('only Premium may open by phone message', () => {
      spec.given([]).when(openTicketCommand({ license: 'teacher', channel: 'phone', actor: actors.agent })).thenFails('CHANNEL_NOT_ENTITLED');
      spec.given([]).when(openTicketCommand({ license: 'administrator', channel: 'phone', actor: actors.agent })).thenEvents((events) => {
        expect(types(events)[0]).toBe('TicketOpened');
      });
    });
    it.each(['email', 'chat', 'dashboard', 'web-portal'] as const)('%s is open to both tiers', (channel) => {
      for (const license of ['administrator', 'publisher', 'teacher'] as const) {
        spec.given([]).when(openTicketCommand({ license, channel })).thenEvents((events) => expect(events.length).toBeGreaterThan(0));
      }
    });
  });

  describe('a ticket holds enough information to define and recreate the request', () => {
    it('it has a ticket number, a named user with an e-mail address, a summary and a description', () => {
      const valid = openTicketCommand();
      expect(E.isRight(decodeCommand(valid))).toBe(true);
      const noEmail = { ...valid, data: { ...valid.data, namedUser: { id: 'u', license: 'teacher' } } };
      const blankSummary = { ...valid, data: { ...valid.data, request: { summary: '  ', description: 'x' } } };
      const noNumber = { ...valid, data: { ...valid.data, ticketNumber: '' } };
      const paths = (u: unknown) => {
        const result = decodeCommand(u);
        return E.isLeft(result) ? result.left.issues.map((i) => i.path) : [];
      };
      expect(paths(noEmail)).toEqual(['data.namedUser.email']);
      expect(paths(blankSummary)).toEqual(['data.request.summary']);
      expect(paths(noNumber)).toEqual(['data.ticketNumber']);
    });
    it('an error or bug also needs steps to reproduce and the number of users affected', () => {
      spec
        .given([])
        .when(openTicketCommand({ suggestedCategory: 'technical/bug', request: { summary: 'Bug', description: 'Broken' } }))
        .thenFails('INSUFFICIENT_INFORMATION');
      spec.given(opened()).when(command.classify(T1, { category: 'technical/code-error' })).thenFails('INSUFFICIENT_INFORMATION');
      spec
        .given(opened())
        .when(command.classify(T1, { category: 'technical/code-error', stepsToReproduce: 'Open the gradebook', usersAffected: 12 }))
        .thenEvents((events, ticket) => {
          expect(types(events)).toEqual(['TicketClassified', 'TicketQueued']);
          expect(ticket.status !== 'none' && ticket.request.usersAffected).toBe(12);
        });
    });
    it('questions need no reproduction steps', () => {
      spec.given(opened()).when(command.classify(T1, { category: 'personal/how-to' })).thenEvents((events) => expect(events.length).toBe(2));
    });
  });

  describe('classification', () => {
    it('only support staff classify', () => {
      spec.given(opened()).when(command.classify(T1, { category: 'personal/how-to' }, actors.administrator)).thenFails('NOT_PERMITTED');
      spec.given(opened()).when(command.classify(T1, { category: 'personal/how-to' }, actors.admin)).thenEvents((e) => expect(e.length).toBe(2));
    });
    it('reclassification is allowed and recorded with a reason', () => {
      const history = historyOf(openTicketCommand({ now: T0 }), command.classify(T1, { category: 'personal/how-to' }));
      spec
        .given(history)
        .when(command.classify(T2, { category: 'technical/question/integration', reason: 'It is about the SIS feed' }))
        .then([
          {
            type: 'TicketClassified',
            schemaVersion: 1,
            data: {
              ticketId: 'ticket-1',
              at: T2,
              by: actors.agent,
              category: 'technical/question/integration',
              reclassified: true,
              previousCategory: 'personal/how-to',
              reason: 'It is about the SIS feed',
            },
          },
          { type: 'TicketQueued', schemaVersion: 1, data: { ticketId: 'ticket-1', at: T2, by: actors.agent, queue: 'premium:technical-question' } },
        ]);
    });
    it('reclassification without a reason is refused', () => {
      const history = historyOf(openTicketCommand({ now: T0 }), command.classify(T1, { category: 'personal/how-to' }));
      spec.given(history).when(command.classify(T2, { category: 'technical/login', ...errorRequest })).thenFails('MISSING_RECLASSIFICATION_REASON');
    });
    it('classifying again with the same category changes nothing', () => {
      const history = historyOf(openTicketCommand({ now: T0 }), command.classify(T1, { category: 'personal/how-to' }));
      spec.given(history).when(command.classify(T2, { category: 'personal/how-to' })).thenNothingHappened();
    });
  });

  describe('SLA queue follows tier and class', () => {
    it('a new ticket waits in its tier’s unclassified queue; classification moves it to the class queue', () => {
      expect(ticketOf(opened({ license: 'teacher' })).queue).toBe('professional:unclassified');
      const classified = historyOf(openTicketCommand({ now: T0, license: 'teacher', request: errorRequest }), command.classify(T1, { category: 'technical/login' }));
      expect(ticketOf(classified).queue).toBe('professional:error');
    });
    it('a ticket linked to an outage moves to the outage queue', () => {
      spec.given(opened()).when(command.link(T1)).thenEvents((events, ticket) => {
        expect(types(events)).toEqual(['TicketLinkedToOutage', 'TicketQueued']);
        expect(ticket.status !== 'none' && ticket.queue).toBe('premium:outage');
      });
    });
  });

  describe('confirmation', () => {
    it('opening never confirms by itself: the mailer records the confirmation when the e-mail went out', () => {
      const history = historyOf(openTicketCommand({ now: T0 }));
      expect(types(history)).toEqual(['TicketOpened', 'TicketQueued']);
      const mailer = { ...command.acknowledge(T1), data: { ...command.acknowledge(T1).data, automatic: true, messageId: '<confirmation@support-sla.local>' } };
      spec.given(history).when(mailer).thenEvents((events) => {
        expect(types(events)).toEqual(['TicketAcknowledged']);
        expect(events[0]?.type === 'TicketAcknowledged' && events[0].data).toMatchObject({
          automatic: true,
          messageId: '<confirmation@support-sla.local>',
          notifyEmail: namedUserFor('administrator').email,
        });
      });
    });
    it('with agent confirmation, an agent acknowledges; acknowledging twice is a no-op', () => {
      const policy = { ...defaultPolicy, confirmation: 'agent' as const };
      const history = historyOf(openTicketCommand({ now: T0, policy }));
      expect(types(history)).toEqual(['TicketOpened', 'TicketQueued']);
      spec.given(history).when(command.acknowledge(T1)).thenEvents((events) => expect(types(events)).toEqual(['TicketAcknowledged']));
      spec.given(historyOf(openTicketCommand({ now: T0, policy }), command.acknowledge(T1))).when(command.acknowledge(T2)).thenNothingHappened();
    });
  });

  describe('response', () => {
    const classified = (license: 'administrator' | 'teacher') =>
      historyOf(openTicketCommand({ now: T0, license }), command.classify(T1, { category: 'personal/how-to' }));
    it('a Premium response must carry an action plan', () => {
      spec.given(classified('administrator')).when(command.respond(T2)).thenFails('MISSING_ACTION_PLAN');
      spec.given(classified('administrator')).when(command.respond(T2, { actionPlan: '  ' })).thenFails('MISSING_ACTION_PLAN');
      spec.given(classified('administrator')).when(command.respond(T2, { actionPlan: 'Walk through the export wizard on a call' })).thenEvents((events) => {
        const e = events.find((x) => x.type === 'TicketResponded');
        expect(e?.type === 'TicketResponded' && e.data).toMatchObject({ definedAs: 'support-ticket', actionPlan: 'Walk through the export wizard on a call' });
      });
    });
    it('a Professional response defines the request as a support item or a project', () => {
      spec.given(classified('teacher')).when(command.respond(T2)).thenFails('MISSING_REQUEST_DEFINITION');
      spec.given(classified('teacher')).when(command.respond(T2, { definedAs: 'support-ticket' })).thenFails('MISSING_REQUEST_DEFINITION');
      spec.given(classified('teacher')).when(command.respond(T2, { definedAs: 'project' })).thenEvents((events) => {
        const e = events.find((x) => x.type === 'TicketResponded');
        expect(e?.type === 'TicketResponded' && e.data.definedAs).toBe('project');
      });
    });
    it('the response defines the request, so the ticket must be classified first', () => {
      spec.given(opened()).when(command.respond(T2, { actionPlan: 'Plan' })).thenFails('NOT_CLASSIFIED');
    });
    it('responding also confirms a ticket not yet acknowledged', () => {
      const history = historyOf(openTicketCommand({ now: T0, policy: { ...defaultPolicy, confirmation: 'agent' } }), command.classify(T1, { category: 'personal/how-to' }));
      spec.given(history).when(command.respond(T2, { actionPlan: 'Plan' })).thenEvents((events) => {
        expect(types(events)).toEqual(['TicketAcknowledged', 'TicketResponded']);
      });
    });
    it('responding twice is a no-op', () => {
      const history = historyOf(openTicketCommand({ now: T0 }), command.classify(T1, { category: 'personal/how-to' }), command.respond(T2, { actionPlan: 'Plan' }));
      spec.given(history).when(command.respond(T3, { actionPlan: 'Another plan' })).thenNothingHappened();
    });
  });

  describe('waiting on the customer', () => {
    it('awaiting the customer pauses; the customer reply resumes; repeating either is a no-op', () => {
      const waiting = historyOf(openTicketCommand({ now: T0 }), command.await(T1));
      expect(ticketOf(waiting).awaitingCustomerSinceMs).toBe(Date.parse(T1));
      spec.given(waiting).when(command.await(T2)).thenNothingHappened();
      spec.given(waiting).when(command.reply(T2)).thenEvents((events, ticket) => {
        expect(types(events)).toEqual(['CustomerReplied']);
        expect(ticket.status !== 'none' && ticket.customerWaits).toEqual([{ fromMs: Date.parse(T1), toMs: Date.parse(T2) }]);
      });
      spec.given(opened()).when(command.reply(T2)).thenNothingHappened();
    });
    it('only staff or the named user may record a customer reply', () => {
      spec.given(historyOf(openTicketCommand({ now: T0 }), command.await(T1))).when(command.reply(T2, actors.teacher)).thenFails('NOT_PERMITTED');
    });
  });

  describe('resolution and closing', () => {
    it('close requires a resolved ticket', () => {
      spec.given(opened()).when(command.close(T2, 'Fixed')).thenFails('NOT_RESOLVED');
    });
    it('close requires resolution details, e-mailed to the named contact', () => {
      const resolvedWithout = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1));
      spec.given(resolvedWithout).when(command.close(T2)).thenFails('MISSING_RESOLUTION_DETAILS');
      spec.given(resolvedWithout).when(command.close(T2, ' ')).thenFails('MISSING_RESOLUTION_DETAILS');
      spec.given(resolvedWithout).when(command.close(T2, 'Re-ran the export job')).then([
        {
          type: 'TicketClosed',
          schemaVersion: 1,
          data: { ticketId: 'ticket-1', at: T2, by: actors.agent, resolutionDetails: 'Re-ran the export job', notifyEmail: namedUserFor('administrator').email },
        },
      ]);
      const resolvedWith = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Cleared the cache'));
      spec.given(resolvedWith).when(command.close(T2)).thenEvents(([e]) => expect(e?.type === 'TicketClosed' && e.data.resolutionDetails).toBe('Cleared the cache'));
    });
    it('a closed ticket can be reopened with a reason', () => {
      const closed = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'), command.close(T2));
      spec.given(closed).when(command.reopen(T3)).thenEvents((events, ticket) => {
        expect(events).toEqual([{ type: 'TicketReopened', schemaVersion: 1, data: { ticketId: 'ticket-1', at: T3, by: actors.administrator, reason: 'It broke again' } }]);
        expect(ticket.status).toBe('open');
      });
      expect(E.isLeft(decodeCommand({ ...command.reopen(T3), data: { ticketId: 'ticket-1', reason: '' } }))).toBe(true);
    });
    it('a closed ticket refuses changes', () => {
      const closed = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'), command.close(T2));
      spec.given(closed).when(command.classify(T3, { category: 'personal/how-to' })).thenFails('TICKET_ALREADY_CLOSED');
      spec.given(closed).when(command.resolve(T3)).thenFails('TICKET_ALREADY_CLOSED');
      spec.given(closed).when(command.await(T3)).thenFails('TICKET_ALREADY_CLOSED');
      spec.given(closed).when(command.link(T3)).thenFails('TICKET_ALREADY_CLOSED');
    });
    it('the resolution e-mail sent after closing is recorded on the closed ticket, by staff only, and changes no clock', () => {
      const closed = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'), command.close(T2));
      const sent = { type: 'RecordNotificationSent' as const, now: T3, actor: actors.agent, data: { ticketId: command.close(T2).data.ticketId, purpose: 'resolution' as const, messageId: '<resolution.1@support-sla.local>' } };
      spec.given(closed).when(sent).thenEvents((events, ticket) => {
        expect(events).toEqual([
          { type: 'TicketNotificationSent', schemaVersion: 1, data: { ticketId: sent.data.ticketId, at: T3, by: actors.agent, purpose: 'resolution', messageId: '<resolution.1@support-sla.local>', to: namedUserFor('administrator').email } },
        ]);
        expect(ticket).toEqual({ ...ticketOf(closed), lastEventAtMs: Date.parse(T3) });
      });
      spec.given(closed).when({ ...sent, actor: actors.administrator }).thenFails('NOT_PERMITTED');
    });
    it('resolving, closing or reopening twice is a no-op', () => {
      const resolved = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'));
      spec.given(resolved).when(command.resolve(T2)).thenNothingHappened();
      spec.given(historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'), command.close(T2))).when(command.close(T3)).thenNothingHappened();
      spec.given(historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'), command.reopen(T2))).when(command.reopen(T3)).thenNothingHappened();
    });
    it('resolving ends a wait on the customer', () => {
      const history = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.await(T1), command.resolve(T3, 'Done'));
      expect(ticketOf(history).customerWaits).toEqual([{ fromMs: Date.parse(T1), toMs: Date.parse(T3) }]);
      expect(ticketOf(history).awaitingCustomerSinceMs).toBeNull();
    });
  });

  describe('outages', () => {
    it('a ticket is linked to one outage; linking again to it is a no-op, to another is refused', () => {
      const linked = historyOf(openTicketCommand({ now: T0 }), command.link(T1, 'OUTAGE-0001'));
      spec.given(linked).when(command.link(T2, 'OUTAGE-0001')).thenNothingHappened();
      spec.given(linked).when(command.link(T2, 'OUTAGE-0002')).thenFails('LINKED_TO_ANOTHER_OUTAGE');
    });
  });

  describe('receipt and identity', () => {
    it('staff opening a phone message record when it was received', () => {
      spec
        .given([])
        .when(openTicketCommand({ now: T2, receivedAt: T0, channel: 'phone', actor: actors.agent }))
        .thenEvents((events, ticket) => {
          expect(events[0]?.type === 'TicketOpened' && events[0].data.receivedAt).toBe(T0);
          expect(ticket.status !== 'none' && ticket.receivedAtMs).toBe(Date.parse(T0));
        });
    });
    it('a request cannot be received after it is recorded', () => {
      spec.given([]).when(openTicketCommand({ now: T0, receivedAt: T1, actor: actors.agent })).thenFails('RECEIVED_IN_FUTURE');
    });
    it('requesters open tickets only for themselves and cannot backdate them', () => {
      spec.given([]).when(openTicketCommand({ license: 'teacher', actor: actors.publisher })).thenFails('NOT_PERMITTED');
      spec.given([]).when(openTicketCommand({ now: T1, receivedAt: T0 })).thenFails('NOT_PERMITTED');
      spec.given([]).when(openTicketCommand({ actor: actors.monitor })).thenFails('NOT_PERMITTED');
    });
    it('a ticket id is opened once', () => {
      spec.given(opened()).when(openTicketCommand({ now: T1 })).thenFails('TICKET_ALREADY_EXISTS');
    });
    it('commands on an unknown ticket fail', () => {
      spec.given([]).when(command.acknowledge(T1)).thenFails('TICKET_NOT_FOUND');
    });
    it('history is append-only in time: a command dated before the latest event is refused', () => {
      spec.given(historyOf(openTicketCommand({ now: T0 }), command.await(T3))).when(command.reply(T2)).thenFails('TIME_BEFORE_LAST_EVENT');
    });
    it('the ticket pins the policy version in force at opening', () => {
      const v2 = { ...defaultPolicy, version: 2 };
      expect(ticketOf(historyOf(openTicketCommand({ now: T0, policy: v2 }))).policyVersion).toBe(2);
    });
  });
  it('staff-only commands refuse requesters and auditors', () => {
    const history = historyOf(openTicketCommand({ now: T0, policy: { ...defaultPolicy, confirmation: 'agent' } }));
    spec.given(history).when(command.acknowledge(T4, actors.auditor)).thenFails('NOT_PERMITTED');
    spec.given(history).when(command.resolve(T4, 'x', actors.administrator)).thenFails('NOT_PERMITTED');
    spec.given(history).when(command.link(T4, 'OUTAGE-0001', actors.teacher)).thenFails('NOT_PERMITTED');
  });

  describe('every request is assigned a type before it is resolved or closed', () => {
    it('a ticket cannot be resolved before it is classified (NOT_CLASSIFIED)', () => {
      spec.given(opened()).when(command.resolve(T1, 'Fixed')).thenFails('NOT_CLASSIFIED');
    });
    it('a ticket cannot be closed before it is classified (NOT_CLASSIFIED)', () => {
      // Resolved before the rule existed (stored history), then closed: still refused.
      const legacy = [...opened(), { type: 'TicketResolved' as const, schemaVersion: 1 as const, data: { ticketId: 'ticket-1', at: T1, by: actors.agent, resolution: 'Fixed' } }];
      spec.given(legacy).when(command.close(T2)).thenFails('NOT_CLASSIFIED');
    });
  });

  describe('a response records whom it contacted and how', () => {
    const classified = () => historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0));
    it('by default the response contacted the named user by e-mail', () => {
      spec.given(classified()).when(command.respond(T1, { actionPlan: 'Walk through the export' })).thenEvents((events) => {
        const responded = events.find((e) => e.type === 'TicketResponded');
        expect(responded?.type === 'TicketResponded' && responded.data).toMatchObject({ contacted: { email: namedUserFor('administrator').email }, via: 'email' });
      });
    });
    it('staff say whom they reached and on which channel', () => {
      spec
        .given(classified())
        .when(command.respond(T1, { actionPlan: 'Call back Friday', contactedEmail: 'deputy@district.example.org', contactedName: 'Dee', via: 'phone' }))
        .thenEvents((events) => {
          const responded = events.find((e) => e.type === 'TicketResponded');
          expect(responded?.type === 'TicketResponded' && responded.data).toMatchObject({ contacted: { email: 'deputy@district.example.org', name: 'Dee' }, via: 'phone' });
        });
    });
    it('a blank or punctuation-only Premium action plan is refused', () => {
      for (const actionPlan of ['', '   ', '-', '...', '?!', '— —']) {
        spec.given(classified()).when(command.respond(T1, { actionPlan })).thenFails('MISSING_ACTION_PLAN');
      }
    });
  });

  describe('late entries keep their real times', () => {
    const late = <C extends { data: object }>(c: C, occurredAt: string): C => ({ ...c, data: { ...c.data, occurredAt } });
    it('staff record a phone confirmation after the fact: the event is dated when it happened', () => {
      spec.given(opened()).when(late(command.acknowledge(T3), T1)).thenEvents((events, ticket) => {
        expect(events[0]?.data.at).toBe(T1);
        expect(ticket.status !== 'none' && ticket.acknowledgedAtMs).toBe(Date.parse(T1));
      });
    });
    it('every lifecycle command from staff accepts occurredAt', () => {
      const classified = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0));
      spec.given(classified).when(late(command.respond(T4, { actionPlan: 'Plan' }), T1)).thenEvents((events) => expect(events.map((e) => e.data.at)).toEqual([T1, T1]));
      spec.given(classified).when(late(command.await(T4), T1)).thenEvents((events) => expect(events[0]?.data.at).toBe(T1));
      const waiting = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.await(T1));
      spec.given(waiting).when(late(command.reply(T4, actors.agent), T2)).thenEvents((events) => expect(events[0]?.data.at).toBe(T2));
      spec.given(classified).when(late(command.resolve(T4, 'Done'), T1)).thenEvents((events) => expect(events[0]?.data.at).toBe(T1));
      const resolved = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.resolve(T1, 'Done'));
      spec.given(resolved).when(late(command.close(T4), T2)).thenEvents((events) => expect(events[0]?.data.at).toBe(T2));
      spec.given(resolved).when(late(command.reopen(T4, actors.agent), T2)).thenEvents((events) => expect(events[0]?.data.at).toBe(T2));
      spec.given(classified).when(late(command.link(T4), T1)).thenEvents((events) => expect(events.every((e) => e.data.at === T1)).toBe(true));
    });
    it('occurredAt may not be in the future', () => {
      spec.given(opened()).when(late(command.acknowledge(T1), T2)).thenFails('OCCURRED_IN_FUTURE');
    });
    it('occurredAt may not be before the ticket’s previous event', () => {
      const classified = historyOf(openTicketCommand({ now: T0 }), command.classify(T2, { category: 'personal/how-to' }));
      spec.given(classified).when(late(command.acknowledge(T3), T1)).thenFails('OCCURRED_BEFORE_PREVIOUS_EVENT');
    });
    it('requesters cannot backdate', () => {
      const waiting = historyOf(openTicketCommand({ now: T0 }), classifiedHowTo(T0), command.await(T1));
      spec.given(waiting).when(late(command.reply(T3), T2)).thenFails('NOT_PERMITTED');
    });
  });

  describe('the domain does not depend on the machine time zone', () => {
    it('a command whose now has no offset is refused with INVALID_INSTANT, never read in local time', () => {
      spec.given([]).when(openTicketCommand({ now: '2026-03-06T17:30:00' })).thenFails('INVALID_INSTANT');
      spec.given(opened()).when(command.acknowledge('2026-03-10T15:00:00')).thenFails('INVALID_INSTANT');
    });
    it('an occurredAt or receivedAt without an offset is refused too', () => {
      spec.given([]).when(openTicketCommand({ now: T2, receivedAt: '2026-03-10T09:00:00', actor: actors.agent })).thenFails('INVALID_INSTANT');
      spec.given(opened()).when({ ...command.acknowledge(T2), data: { ticketId: 'ticket-1', occurredAt: '2026-03-10T10:00:00' } }).thenFails('INVALID_INSTANT');
    });
  });
});
