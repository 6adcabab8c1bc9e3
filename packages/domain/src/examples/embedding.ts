import { decodeCommand, defaultPolicy, isLeft, isTicketCommand, ticketDecider, ticketSla, type TicketEvent } from '../index';

const streams = new Map<string, TicketEvent[]>(); // stand-in for your event store

/** Decode, decide, append, report the SLA: the whole embedding. */
export function handle(input: unknown) {
  const decoded = decodeCommand(input);
  if (isLeft(decoded)) return { ok: false as const, issues: decoded.left.issues };
  const command = decoded.right;
  if (!isTicketCommand(command)) return { ok: false as const, issues: [{ path: 'type', expected: 'TicketCommand' }] };
  const past = streams.get(command.data.ticketId) ?? [];
  const decision = ticketDecider.decide(command, past.reduce(ticketDecider.evolve, ticketDecider.initialState));
  if (isLeft(decision)) return { ok: false as const, error: decision.left.code, message: decision.left.message };
  const events = [...past, ...decision.right];
  streams.set(command.data.ticketId, events);
  const state = events.reduce(ticketDecider.evolve, ticketDecider.initialState);
  const sla = ticketSla(state, defaultPolicy, command.now); // null while no ticket exists
  return { ok: true as const, events: decision.right, sla };
}
