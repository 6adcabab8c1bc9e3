import { isTicketEvent, ticketDecider, type Ticket } from '@support-sla/domain';
import { EventLog } from '../testing/event-log.js';
import { deskPolicy } from '../testing/fixtures.js';
import { referenceCanonicalJson, referenceRowOf } from '../bench/reference.js';
import { canonicalJson } from '../support/canonical-json.js';
import { envelopedOf, generateHistory } from '../testing/history.js';
import { slimClosedTicket, sortedEntries } from '../tickets.js';
import { readModelsProjection } from './read-models.js';
import { TicketArchive, type ArchivedTicketRow } from './ticket-archive.js';

const closedTicket = (id: string, number: string, wait: boolean): Ticket => {
  const log = new EventLog(deskPolicy);
  const story = log
    .ticket(id, number)
    .open('2026-03-10T14:00:00Z', { license: 'teacher', channel: 'chat', suggestedCategory: 'personal/how-to' })
    .acknowledge('2026-03-10T14:10:00Z')
    .classify('2026-03-10T14:20:00Z', 'technical/bug', { usersAffected: 12 })
    .respond('2026-03-10T15:00:00Z');
  if (wait) story.awaitCustomer('2026-03-10T16:00:00Z').customerReplied('2026-03-11T13:00:00Z');
  story.resolve('2026-03-11T15:00:00Z').close('2026-03-11T15:10:00Z').reopen('2026-03-12T15:00:00Z').resolve('2026-03-12T16:00:00Z').close('2026-03-12T16:05:00Z');
  const state = log.events.reduce((s, { event }) => (isTicketEvent(event) ? ticketDecider.evolve(s, event) : s), ticketDecider.initialState);
  if (state.status !== 'closed') throw new Error('expected a closed ticket');
  return state;
};

describe('ticket archive', () => {
  it('gives back exactly the slimmed ticket, waits and reopen gaps included', () => {
    const archive = new TicketArchive();
    const waited = closedTicket('t1', 'SS-1', true);
    const plain = closedTicket('t2', 'SS-2', false);
    archive.add(waited);
    archive.add(plain);
    expect(archive.size).toBe(2);
    expect(archive.get('t1')).toEqual(slimClosedTicket(waited));
    expect(archive.get('t2')).toEqual(slimClosedTicket(plain));
    expect(waited.customerWaits).toHaveLength(1);
    expect(waited.reopenGaps).toHaveLength(1);
    expect(archive.receivedAtMs('t1')).toBe(Date.parse('2026-03-10T14:00:00Z'));
    expect(archive.sortedTickets().map((t) => t.ticketId)).toEqual(['t1', 't2']);
  });

  it('gives each snapshot the rows it had, while tickets leave, come back changed and the columns grow', () => {
    const archive = new TicketArchive();
    const base = closedTicket('x', 'SS-X', true);
    const ticket = (i: number, lastEventAtMs = 1): Ticket => ({ ...base, ticketId: `t${String(i).padStart(4, '0')}`, ticketNumber: `SS-${i}`, lastEventAtMs });
    const rowsOf = (snapshot: ReturnType<TicketArchive['snapshot']>): string => JSON.stringify([...snapshot.rowsInSteps(7)].filter((r) => r !== ''));
    for (let i = 0; i < 100; i++) archive.add(ticket(i));
    const first = archive.snapshot();
    const firstRows = JSON.stringify(archive.rows());
    // Archived again with a change (an event after closure), reopened, and new ones past the initial columns.
    for (let i = 0; i < 50; i++) archive.add(ticket(i, 2));
    for (let i = 50; i < 60; i++) archive.take(ticket(i).ticketId);
    const second = archive.snapshot();
    const secondRows = JSON.stringify(archive.rows());
    for (let i = 100; i < 2_100; i++) archive.add(ticket(i));
    for (let i = 0; i < 10; i++) archive.take(ticket(i).ticketId);
    expect(rowsOf(first)).toBe(firstRows);
    expect(rowsOf(second)).toBe(secondRows);
    expect(first.size).toBe(100);
    expect(second.size).toBe(90);
    expect(rowsOf(archive.snapshot())).toBe(JSON.stringify(archive.rows()));
    expect(archive.size).toBe(2_080);
  });

  it('lets a reopened ticket leave, and filters by receipt time', () => {
    const archive = new TicketArchive();
    for (let i = 0; i < 3000; i++) archive.add({ ...closedTicket('x', 'SS-X', false), ticketId: `t${i}`, ticketNumber: `SS-${i}`, receivedAtMs: i });
    expect(archive.take('t5')?.ticketNumber).toBe('SS-5');
    expect(archive.has('t5')).toBe(false);
    expect(archive.get('t5')).toBeUndefined();
    const seen: string[] = [];
    archive.forEachReceivedIn(3, 8, (t) => seen.push(t.ticketId));
    expect(seen.sort()).toEqual(['t3', 't4', 't6', 't7']);
    expect(archive.size).toBe(2999);
  });
});

describe('ticket archive rows', () => {
  it('round-trip every archived ticket exactly', () => {
    const archive = new TicketArchive();
    archive.add(closedTicket('t1', 'SS-1', true));
    archive.add(closedTicket('t0', 'SS-0', false));
    const rows = archive.rows();
    expect(rows.map((r) => r[0])).toEqual(['t0', 't1']);
    const back = TicketArchive.fromRows(JSON.parse(JSON.stringify(rows)) as typeof rows);
    expect(back.sortedTickets()).toEqual(archive.sortedTickets());
    expect(back.rows()).toEqual(rows);
  });
});

describe('tickets linked to an outage', () => {
  // Linked while open (the domain refuses to link a closed ticket), then closed.
  const linkedTicket = (id: string, number: string): Ticket => {
    const t = closedTicket(id, number, false);
    return {
      ...t,
      namedUser: { ...t.namedUser, name: 'Ada Lovelace' },
      request: { ...t.request, summary: 'Gradebook export fails' },
      outageId: 'OUTAGE-0001',
      outageSinceMs: Date.parse('2026-03-10T14:30:00Z'),
    };
  };
  const expectedBack = (t: Ticket): Ticket => ({ ...slimClosedTicket(t), namedUser: t.namedUser, request: { ...slimClosedTicket(t).request, summary: t.request.summary } });

  it('keep their name and summary, through rows()/fromRows and the stored model; the others keep their rows', () => {
    const projection = readModelsProjection();
    const model = projection.initialState();
    const linked = linkedTicket('t1', 'SS-1');
    const plain = closedTicket('t2', 'SS-2', true);
    model.closed.add(linked);
    model.closed.add(plain);
    expect(model.closed.get('t1')).toEqual(expectedBack(linked));
    expect(model.closed.get('t1')?.namedUser.name).toBe('Ada Lovelace');
    expect(model.closed.get('t1')?.request.summary).toBe('Gradebook export fails');
    expect(model.closed.get('t2')).toEqual(slimClosedTicket(plain));
    expect(model.closed.linkedTo('OUTAGE-0001').map((t) => t.ticketId)).toEqual(['t1']);

    const rows = model.closed.rows();
    expect(rows[0]?.[15]).toEqual(['Ada Lovelace', 'Gradebook export fails']);
    // The unlinked ticket's row: the 15 elements, and the bytes, it had before.
    expect(rows[1]).toHaveLength(15);
    expect(canonicalJson(rows[1])).toBe(referenceCanonicalJson(referenceRowOf(slimClosedTicket(plain))));
    const back = TicketArchive.fromRows(JSON.parse(JSON.stringify(rows)) as typeof rows);
    expect(back.get('t1')).toEqual(expectedBack(linked));
    expect(back.rows()).toEqual(rows);

    const stored = projection.serialize(model);
    expect([...(projection.serializeSnapshot?.(model) ?? [])].join('')).toBe(stored);
    const loaded = projection.deserialize(stored);
    expect(loaded.closed.get('t1')).toEqual(expectedBack(linked));
    expect(loaded.closed.get('t2')).toEqual(slimClosedTicket(plain));
    expect(loaded.closed.linkedTo('OUTAGE-0001').map((t) => t.ticketId)).toEqual(['t1']);
    expect(projection.serialize(loaded)).toBe(stored);
  });

  it('a linked ticket without a name keeps its summary; a reopened one leaves its outage\'s list', () => {
    const archive = new TicketArchive();
    const t = linkedTicket('t1', 'SS-1');
    const nameless = { ...t, namedUser: { id: t.namedUser.id, email: t.namedUser.email, license: t.namedUser.license } };
    archive.add(nameless);
    expect(archive.rows()[0]?.[15]).toEqual([null, 'Gradebook export fails']);
    expect(TicketArchive.fromRows(archive.rows()).get('t1')).toEqual(expectedBack(nameless));
    expect(archive.linkedTo('OUTAGE-0001')).toHaveLength(1);
    expect(archive.linkedTo('OUTAGE-0002')).toEqual([]);
    archive.take('t1');
    expect(archive.linkedTo('OUTAGE-0001')).toEqual([]);
  });

  it('rows stored before linked tickets kept their texts load with no name and the summary "-", and are written back as they were', () => {
    const archive = new TicketArchive();
    archive.add(linkedTicket('t1', 'SS-1'));
    const [row] = archive.rows();
    if (row === undefined) throw new Error('expected a row');
    const [ticketId, ticketNumber, channel, tier, license, userId, email, category, suggested, definedAs, queue, outageId, numbers, waits, gaps] = row;
    const old: ArchivedTicketRow = [ticketId, ticketNumber, channel, tier, license, userId, email, category, suggested, definedAs, queue, outageId, numbers, waits, gaps];
    const back = TicketArchive.fromRows([old]);
    expect(back.get('t1')?.request.summary).toBe('-');
    expect(back.get('t1')?.namedUser.name).toBeUndefined();
    expect(back.linkedTo('OUTAGE-0001').map((t) => t.ticketId)).toEqual(['t1']);
    expect(JSON.stringify(back.rows())).toBe(JSON.stringify([old]));
  });
});

describe('the checkpoint bytes, against the serializers before issue 23', () => {
  it('gives the same rows and the same stored model (whole and in snapshot pieces) on generated histories', () => {
    let linkedSeen = 0;
    for (const [seed, events] of [
      [3, 4_000],
      [17, 12_000],
      [42, 25_000],
    ] as const) {
      const projection = readModelsProjection();
      let model = projection.initialState();
      for (const g of generateHistory({ seed, events })) {
        const { event, envelope } = envelopedOf(g);
        model = projection.evolve(model, event, envelope);
      }
      const referenceRows = model.closed.sortedTickets().map(referenceRowOf);
      expect(model.closed.rows()).toEqual(referenceRows);
      // Only the rows of tickets linked to an outage gain an element (their name and summary).
      const linkedRows = model.closed.rows().filter((r) => r[11] !== null);
      linkedSeen += linkedRows.length;
      for (const r of linkedRows) expect(r).toHaveLength(16);
      for (const r of model.closed.rows()) if (r[11] === null) expect(r).toHaveLength(15);
      const expected = referenceCanonicalJson({
        policies: model.policies,
        open: sortedEntries(model.open),
        closed: referenceRows,
        outages: sortedEntries(model.outages),
        // Since version 3 (after issue 23): the tickets linked to each outage.
        outageLinks: sortedEntries(model.outageLinks),
      });
      expect(projection.serialize(model)).toBe(expected);
      expect([...(projection.serializeSnapshot?.(model) ?? [])].join('')).toBe(expected);
      // And each piece as the original canonicalJson writes it.
      for (const row of model.closed.rows()) expect(canonicalJson(row)).toBe(referenceCanonicalJson(row));
      for (const entry of sortedEntries(model.open)) expect(canonicalJson(entry)).toBe(referenceCanonicalJson(entry));
      // A model loaded from the stored bytes writes them again (its tickets' keys are now in order).
      expect(projection.serialize(projection.deserialize(expected))).toBe(expected);
      expect(model.closed.size).toBeGreaterThan(20);
      expect(model.open.size).toBeGreaterThan(20);
    }
    expect(linkedSeen).toBeGreaterThan(0);
  });
});
