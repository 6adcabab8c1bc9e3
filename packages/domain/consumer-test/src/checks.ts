// What an outside app does with the library, as plain functions that throw, so the same checks
// run under Node in every module setting and under Jest. The README's examples are copied beside
// this file by the consumer test: ./embedding, ./testing-example, ./emmett-adapter.
// No @types/node here (the projects compile with `types: []`): the library's declarations must
// not need them, since an app in a browser or an edge runtime has none.
import { decodeCommand, isLeft, isRight, isRole, ticketDecider, ticketSla, defaultPolicy, type TicketCommand, type TicketEvent, type TicketState } from '@support-sla/domain';
import { DeciderSpecification, actors, historyOf, openTicketCommand, ticketCommands, ticketOf } from '@support-sla/domain/testing';
import { handle } from './embedding.js';
import { CommandRefused, toEmmettDecider } from './emmett-adapter.js';
import { status } from './testing-example.js';

const spec = DeciderSpecification.for(ticketDecider);
const cmd = ticketCommands('ticket-9');
const opened = historyOf(openTicketCommand({ ticketId: 'ticket-9', now: '2026-03-10T13:00:00Z' }));

function ok(condition: boolean, message = 'expected true'): asserts condition {
  if (!condition) throw new Error(message);
}
const strictEqual = (actual: unknown, expected: unknown): void => ok(actual === expected, `expected ${String(expected)}, got ${String(actual)}`);
const deepStrictEqual = (actual: unknown, expected: unknown): void => {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  ok(a === e, `expected ${e}\n     got ${a}`);
};
const throws = (work: () => void, matches: (error: unknown) => boolean): void => {
  try {
    work();
  } catch (error) {
    ok(matches(error), `unexpected error: ${String(error)}`);
    return;
  }
  ok(false, 'expected an exception');
};

/** Emmett's decider shape, written out here so the check needs no Emmett install. */
interface EmmettShapedDecider<C, S, E> {
  decide: (command: C, state: S) => E | E[];
  evolve: (state: S, event: E) => S;
  initialState: () => S;
}

export const checks: ReadonlyArray<readonly [string, () => void]> = [
  [
    'the README embedding example opens a ticket and reports its clocks',
    () => {
      const result = handle(JSON.parse(JSON.stringify(openTicketCommand({ now: '2026-03-10T13:00:00Z' }))));
      ok(result.ok, JSON.stringify(result));
      deepStrictEqual(result.events.map((e) => e.type), ['TicketOpened', 'TicketQueued']);
      strictEqual(result.sla?.response.deadline, '2026-03-11T22:00:00.000Z');
    },
  ],
  [
    'the README embedding example reports decoding issues and business errors',
    () => {
      const bad = handle({ type: 'OpenTicket' });
      ok(!bad.ok && (bad.issues ?? []).some((i) => i.path === 'now'), JSON.stringify(bad));
      const ack = handle({ type: 'AcknowledgeTicket', now: '2026-03-10T13:00:00Z', actor: actors.agent, data: { ticketId: 'nope' } });
      ok(!ack.ok && 'error' in ack && ack.error === 'TICKET_NOT_FOUND', JSON.stringify(ack));
    },
  ],
  ['the README testing example runs', () => strictEqual(status, 'open')],
  [
    'given/when/then with the exported builders',
    () => {
      spec.given([]).when(openTicketCommand({ license: 'teacher', channel: 'phone', actor: actors.agent })).thenFails('CHANNEL_NOT_ENTITLED');
      const after = spec.given(opened).when(cmd.acknowledge('2026-03-10T13:30:00Z')).then([
        {
          type: 'TicketAcknowledged',
          schemaVersion: 1,
          data: { ticketId: 'ticket-9', at: '2026-03-10T13:30:00Z', by: actors.agent, automatic: false, notifyEmail: 'ada@district.example.org' },
        },
      ]);
      ok(after.status !== 'none' && after.acknowledgedAtMs !== null);
      spec.given(historyOf(...[openTicketCommand({ ticketId: 'ticket-9' }), cmd.acknowledge('2026-03-10T14:30:00Z')])).when(cmd.acknowledge('2026-03-10T15:00:00Z')).thenNothingHappened();
      strictEqual(ticketOf(opened).ticketNumber, 'SS-000001');
    },
  ],
  [
    'ticketSla takes the folded TicketState union',
    () => {
      const none: TicketState = ticketDecider.initialState;
      strictEqual(ticketSla(none, defaultPolicy, '2026-03-10T13:00:00Z'), null);
      const state: TicketState = opened.reduce(ticketDecider.evolve, ticketDecider.initialState);
      strictEqual(ticketSla(state, defaultPolicy, '2026-03-10T13:00:00Z')?.confirmation.status, 'running');
      strictEqual(ticketSla(ticketOf(opened), defaultPolicy, '2026-03-10T13:00:00Z').confirmation.status, 'running');
    },
  ],
  [
    'a role from an identity system narrows with isRole',
    () => {
      const fromToken: string = ['agent'][0] ?? '';
      ok(isRole(fromToken));
      const command: TicketCommand = { type: 'AcknowledgeTicket', now: '2026-03-10T13:30:00Z', actor: { id: 'agent-7', role: fromToken }, data: { ticketId: 'ticket-9' } };
      ok(isRight(ticketDecider.decide(command, ticketOf(opened))));
      ok(!isRole('superuser'));
      ok(isLeft(decodeCommand({ ...command, actor: { id: 'x', role: 'superuser' } })));
    },
  ],
  [
    'the README Emmett adapter has Emmett shape and throws refusals',
    () => {
      const ticket: EmmettShapedDecider<TicketCommand, TicketState, TicketEvent> = toEmmettDecider(ticketDecider);
      // A command handler of Emmett's kind: fold the stream, decide, append.
      const stream: TicketEvent[] = [];
      const run = (decide: (state: TicketState) => TicketEvent | TicketEvent[]): void => {
        const result = decide(stream.reduce(ticket.evolve, ticket.initialState()));
        stream.push(...(Array.isArray(result) ? result : [result]));
      };
      run((state) => ticket.decide(openTicketCommand({ ticketId: 'ticket-9', now: '2026-03-10T13:00:00Z' }), state));
      deepStrictEqual(stream, opened);
      throws(
        () => run((state) => ticket.decide(openTicketCommand({ ticketId: 'ticket-9' }), state)),
        (error: unknown) => error instanceof CommandRefused && error.refusal.code === 'TICKET_ALREADY_EXISTS',
      );
    },
  ],
];
