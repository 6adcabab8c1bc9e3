import { defaultPolicy, isTicketEvent, ticketDecider, ticketSla, type TicketState } from '@support-sla/domain';
import { envelopedOf, generateHistory } from '../testing/history.js';
import { ticketSlaStatus } from '../sla-status/sla-status.js';
import { isTicket } from '../tickets.js';
import { evolveReadModels, readModelsProjection, ticketOf } from './read-models.js';
import { slaContextOf } from './sla-context.js';

describe('read models over a generated history', () => {
  const history = [...generateHistory({ seed: 99, events: 15_000 })].map(envelopedOf);
  const projection = readModelsProjection();

  it('answers every ticket exactly as the domain does from its full state, archived or not', () => {
    let model = projection.initialState();
    const full = new Map<string, TicketState>();
    for (const { event, envelope } of history) {
      model = projection.evolve(model, event, envelope);
      if (isTicketEvent(event)) full.set(event.data.ticketId, ticketDecider.evolve(full.get(event.data.ticketId) ?? ticketDecider.initialState, event));
    }
    expect(model.closed.size).toBeGreaterThan(1000);
    const reopened = [...full.values()].filter((s) => isTicket(s) && s.reopenCount > 0);
    expect(reopened.length).toBeGreaterThan(0);
    const asOf = Date.parse('2026-02-20T15:00:00Z');
    for (const [id, state] of full) {
      if (!isTicket(state)) throw new Error('every generated ticket was opened');
      const status = ticketSlaStatus(model, id, asOf);
      // The read models know when linked outages ended; the domain is told the same.
      const expected = ticketSla(state, defaultPolicy, asOf, slaContextOf(model, state));
      expect(status?.confirmation).toEqual(expected.confirmation);
      expect(status?.response).toEqual(expected.response);
      expect(status?.resolution).toEqual(expected.resolution);
      expect(ticketOf(model, id)?.status).toBe(state.status);
    }
  });

  it('resumes from a stored model mid-way and ends on the same bytes', () => {
    let straight = projection.initialState();
    for (const { event, envelope } of history) straight = projection.evolve(straight, event, envelope);
    let resumed = projection.initialState();
    const cut = 9_001;
    for (const { event, envelope } of history.slice(0, cut)) resumed = projection.evolve(resumed, event, envelope);
    resumed = projection.deserialize(projection.serialize(resumed));
    for (const { event, envelope } of history.slice(cut)) resumed = projection.evolve(resumed, event, envelope);
    expect(projection.serialize(resumed)).toBe(projection.serialize(straight));
    expect(resumed.queue).toEqual(straight.queue);
  });

  it('serializes a snapshot: the pieces are the model as it was at the call, while it goes on changing', () => {
    const serializeSnapshot = projection.serializeSnapshot;
    if (serializeSnapshot === undefined) throw new Error('the read models serialize snapshots');
    let model = projection.initialState();
    // Snapshots still being pulled, each with the bytes the model had when it was taken.
    const pulling: { pieces: Iterator<string>; got: string[]; expected: string; reopens: number; closes: number }[] = [];
    let finished = 0;
    let spanningReopen = 0;
    const pullOne = (): void => {
      for (let i = pulling.length - 1; i >= 0; i--) {
        const snapshot = pulling[i]!;
        const next = snapshot.pieces.next();
        if (next.done !== true) {
          snapshot.got.push(next.value);
          continue;
        }
        expect(snapshot.got.join('')).toBe(snapshot.expected);
        if (snapshot.reopens > 0 && snapshot.closes > 0) spanningReopen += 1;
        pulling.splice(i, 1);
        finished += 1;
      }
    };
    history.forEach(({ event, envelope }, i) => {
      if (i % 1_000 === 999) pulling.push({ pieces: serializeSnapshot(model)[Symbol.iterator](), got: [], expected: projection.serialize(model), reopens: 0, closes: 0 });
      model = projection.evolve(model, event, envelope);
      for (const snapshot of pulling) {
        if (event.type === 'TicketReopened') snapshot.reopens += 1;
        if (event.type === 'TicketClosed') snapshot.closes += 1;
      }
      // One piece of each open snapshot per event folded: each spans hundreds of changes.
      pullOne();
    });
    while (pulling.length > 0) pullOne();
    expect(finished).toBe(15);
    // Tickets left the archive (reopened) and entered it (closed) while snapshots were pulled.
    expect(spanningReopen).toBeGreaterThan(0);
  });

  it('serializes in pieces to exactly the serialize bytes all along the history, one ticket a piece', () => {
    const serializeChunks = projection.serializeChunks;
    if (serializeChunks === undefined) throw new Error('the read models serialize in pieces');
    let model = projection.initialState();
    expect([...serializeChunks(model)].join('')).toBe(projection.serialize(model));
    let checked = 0;
    let pauses = 0;
    history.forEach(({ event, envelope }, i) => {
      model = projection.evolve(model, event, envelope);
      if (i % 1_500 !== 1_499 && i !== history.length - 1) return;
      const pieces = [...serializeChunks(model)];
      expect(pieces.join('')).toBe(projection.serialize(model));
      // The frame (3 pieces), a piece per ticket, and empty pauses while the ids are sorted.
      pauses = pieces.filter((p) => p === '').length;
      expect(pieces.length - pauses).toBe(3 + model.open.size + model.closed.size);
      checked += 1;
    });
    expect(checked).toBe(10);
    expect(model.closed.size).toBeGreaterThan(1000);
    expect(pauses).toBeGreaterThan(0);
  });

  it('says what each fold learnt: the ticket before and after, and ends on the bytes the projection gives', () => {
    let straight = projection.initialState();
    for (const { event, envelope } of history) straight = projection.evolve(straight, event, envelope);
    const learning = projection.initialState();
    let transitions = 0;
    for (const { event, envelope } of history) {
      const previous = isTicketEvent(event) ? ticketOf(learning, event.data.ticketId) : undefined;
      const transition = evolveReadModels(learning, event, envelope);
      if (!isTicketEvent(event)) {
        expect(transition).toBeUndefined();
        continue;
      }
      if (transition === undefined) continue;
      transitions++;
      expect(transition.ticketId).toBe(event.data.ticketId);
      expect(transition.before).toEqual(previous);
      if (transition.after.status !== 'closed') expect(ticketOf(learning, event.data.ticketId)).toBe(transition.after);
      else expect(ticketOf(learning, event.data.ticketId)?.status).toBe('closed');
    }
    expect(transitions).toBeGreaterThan(1000);
    expect(projection.serialize(learning)).toBe(projection.serialize(straight));
  });
});
