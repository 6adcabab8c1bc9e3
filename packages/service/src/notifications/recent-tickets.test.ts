import { ticketDecider } from '@support-sla/domain';
import { actors, openTicketCommand } from '@support-sla/domain/testing';
import { ticketStream } from '../event-store/streams';
import type { StoredEvent } from '../event-store/event-store.port';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { countingReads } from '../testing/counting-store';
import { DomainDriver } from './notifications.test-support';
import { decodeStored, readTicketState, RecentTickets } from './ticket-context';

const lifecycle = async (inner: InMemoryEventStore, ticketId: string, ticketNumber: string): Promise<void> => {
  const driver = new DomainDriver(inner);
  const stream = ticketStream(ticketId);
  await driver.run(ticketDecider, stream, openTicketCommand({ ticketId, ticketNumber, license: 'teacher', now: '2026-03-10T14:00:00Z' }));
  const act = (type: string, now: string, data: Record<string, unknown>) =>
    driver.run(ticketDecider, stream, { type, now, actor: actors.agent, data: { ticketId, ...data } } as Parameters<typeof ticketDecider.decide>[0]);
  await act('ClassifyTicket', '2026-03-10T14:05:00Z', { category: 'personal/how-to' });
  await act('AcknowledgeTicket', '2026-03-10T14:06:00Z', {});
  await act('RespondToTicket', '2026-03-10T14:30:00Z', { message: 'Try this', definedAs: 'support-item' });
  await act('ResolveTicket', '2026-03-10T15:00:00Z', { resolution: 'Done' });
};

test('folding each event onto the kept state gives the state a full read gives, reading each stream once', async () => {
  const inner = new InMemoryEventStore();
  await lifecycle(inner, 'T-1', 'SS-000001');
  await lifecycle(inner, 'T-2', 'SS-000002');
  const log = await inner.readAll();
  expect(log.length).toBeGreaterThan(10);
  const { store, reads } = countingReads(inner);
  const recent = new RecentTickets(store);
  // Interleave the two tickets' events, as the global log would.
  const interleaved: StoredEvent[] = [...log].sort((a, b) => Number(a.revision - b.revision) || a.streamId.localeCompare(b.streamId));
  for (const stored of interleaved) {
    const state = await recent.after(stored, decodeStored(stored)!);
    expect(state).toEqual(await readTicketState(inner, stored.streamId, stored.revision));
  }
  expect(reads).toHaveLength(2);
});

test('a state it does not hold at the previous revision (evicted, or a skipped event) is read from the store', async () => {
  const inner = new InMemoryEventStore();
  await lifecycle(inner, 'T-1', 'SS-000001');
  await lifecycle(inner, 'T-2', 'SS-000002');
  const { store, reads } = countingReads(inner);
  const recent = new RecentTickets(store, 1);
  const one = await inner.readStream(ticketStream('T-1'));
  const two = await inner.readStream(ticketStream('T-2'));
  await recent.after(one[0]!, decodeStored(one[0]!)!);
  await recent.after(two[0]!, decodeStored(two[0]!)!); // capacity 1: T-1 is dropped
  const state = await recent.after(one[1]!, decodeStored(one[1]!)!);
  expect(state).toEqual(await readTicketState(inner, ticketStream('T-1'), one[1]!.revision));
  expect(reads).toHaveLength(3);
  // Skipping revision 2 of T-1: revision 3 cannot be folded onto revision 1.
  const later = await recent.after(one[3]!, decodeStored(one[3]!)!);
  expect(later).toEqual(await readTicketState(inner, ticketStream('T-1'), one[3]!.revision));
  expect(reads).toHaveLength(4);
  // The same event again (a retry after a failure) is answered from what it kept.
  expect(await recent.after(one[3]!, decodeStored(one[3]!)!)).toBe(later);
  expect(reads).toHaveLength(4);
});
