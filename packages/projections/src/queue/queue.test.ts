import { priorityKey, type Ticket } from '@support-sla/domain';
import { envelopedOf, generateHistory } from '../testing/history.js';
import { readModelsProjection, type ReadModels } from '../model/read-models.js';
import { EventLog } from '../testing/event-log.js';
import { deskPolicy } from '../testing/fixtures.js';
import { ProjectionSpecification } from '../testing/projection-specification.js';
import { queueView } from './queue.js';

const projection = readModelsProjection({ policies: [deskPolicy] });
const spec = ProjectionSpecification.for(projection);

const numbers = (model: ReadModels, tier?: 'premium' | 'professional'): string[] =>
  queueView(model.queue, tier === undefined ? {} : { tier }).entries.map((e) => e.ticketNumber);

describe('prioritized queue', () => {
  const log = new EventLog(deskPolicy);
  const a = log.ticket('a', 'SS-A').open('2026-03-10T14:00:00Z').classify('2026-03-10T14:30:00Z', 'personal/how-to');
  log.ticket('b', 'SS-B').open('2026-03-10T14:05:00Z', { license: 'teacher' }).classify('2026-03-10T14:30:00Z', 'technical/bug', { usersAffected: 5 });
  const c = log.ticket('c', 'SS-C').open('2026-03-10T14:10:00Z').classify('2026-03-10T14:30:00Z', 'technical/back-end-error', { usersAffected: 50 });
  log.ticket('d', 'SS-D').open('2026-03-10T13:00:00Z').classify('2026-03-10T14:30:00Z', 'technical/question/integration');
  log.ticket('e', 'SS-E').open('2026-03-10T14:20:00Z', { license: 'publisher' }).classify('2026-03-10T14:30:00Z', 'technical/outage');
  log.ticket('f', 'SS-F').open('2026-03-10T13:30:00Z', { license: 'teacher' }).classify('2026-03-10T14:30:00Z', 'personal/how-to');
  const given = [...log.events];

  it('orders outages, errors by users affected, technical questions, then how-to first come first served', () => {
    spec
      .given(given)
      .when()
      .then((model) => {
        expect(numbers(model)).toEqual(['SS-E', 'SS-C', 'SS-B', 'SS-D', 'SS-F', 'SS-A']);
        expect(numbers(model, 'premium')).toEqual(['SS-C', 'SS-D', 'SS-A']);
        expect(numbers(model, 'professional')).toEqual(['SS-E', 'SS-B', 'SS-F']);
        const view = queueView(model.queue, { limit: 2 });
        expect(view.total).toBe(6);
        expect(view.entries).toEqual([
          expect.objectContaining({ position: 1, ticketNumber: 'SS-E', priorityClass: 'outage', queue: 'professional:outage', receivedAt: '2026-03-10T14:20:00.000Z' }),
          expect.objectContaining({ position: 2, ticketNumber: 'SS-C', priorityClass: 'error', usersAffected: 50 }),
        ]);
      });
  });

  it('moves one entry when a ticket is resolved, reclassified or waits on the customer', () => {
    const before = log.events.length;
    c.resolve('2026-03-10T16:00:00Z');
    a.classify('2026-03-10T16:05:00Z', 'technical/code-error', { usersAffected: 100, reason: 'It is a crash, not a question.' });
    a.awaitCustomer('2026-03-10T16:10:00Z');
    spec
      .given(given)
      .when(log.events.slice(before))
      .then((model) => {
        expect(numbers(model)).toEqual(['SS-E', 'SS-A', 'SS-B', 'SS-D', 'SS-F']);
        expect(numbers(model, 'premium')).toEqual(['SS-A', 'SS-D']);
        expect(queueView(model.queue).entries[1]).toMatchObject({ ticketNumber: 'SS-A', usersAffected: 100, awaitingCustomer: true });
      });
  });

  it('brings a reopened ticket back into the queue', () => {
    const more = new EventLog(deskPolicy);
    more
      .ticket('g', 'SS-G')
      .open('2026-03-10T12:00:00Z')
      .acknowledge('2026-03-10T12:05:00Z')
      .classify('2026-03-10T12:10:00Z', 'personal/how-to')
      .respond('2026-03-10T12:30:00Z')
      .resolve('2026-03-10T13:00:00Z')
      .close('2026-03-10T13:05:00Z')
      .reopen('2026-03-11T13:00:00Z');
    spec
      .given(more.events.slice(0, -1))
      .when(more.events.slice(-1))
      .then((model) => {
        expect(numbers(model)).toEqual(['SS-G']);
        expect(model.closed.size).toBe(0);
      });
  });

  it('stays equal to a full sort of the open tickets at every step of a generated history', () => {
    let model = projection.initialState();
    let n = 0;
    const sorted = (tickets: Iterable<Ticket>) =>
      [...tickets]
        .filter((t) => t.status === 'open')
        .map((t) => priorityKey(t))
        .sort();
    for (const g of generateHistory({ seed: 7, events: 6_000 })) {
      const { event, envelope } = envelopedOf(g);
      model = projection.evolve(model, event, envelope);
      if (++n % 500 !== 0) continue;
      const expected = sorted(model.open.values());
      expect(model.queue.overall.map((e) => e.key)).toEqual(expected);
      expect([...model.queue.byTier.premium, ...model.queue.byTier.professional].map((e) => e.key).sort()).toEqual(expected);
    }
    expect(model.queue.overall.length).toBeGreaterThan(10);
  });
});
