import { decodeEvent } from '@support-sla/domain';
import { decodeStoredLine } from '../stored-line.js';
import { generateHistory, serializeStoredEvent } from './history.js';

describe('seeded history generator', () => {
  const events = [...generateHistory({ seed: 11, events: 8_000 })];

  it('gives exactly the events asked for, the same for the same seed', () => {
    expect(events).toHaveLength(8_000);
    expect([...generateHistory({ seed: 11, events: 8_000 })].map(serializeStoredEvent)).toEqual(events.map(serializeStoredEvent));
    expect(serializeStoredEvent([...generateHistory({ seed: 12, events: 1 })][0]!)).not.toBe(serializeStoredEvent(events[0]!));
  });

  it('writes only events the domain decodes, with contiguous revisions per stream and recordedAt never going back', () => {
    const revisions = new Map<string, number>();
    let lastRecorded = '';
    for (const g of events) {
      expect(decodeEvent(JSON.parse(JSON.stringify(g.event)))._tag).toBe('Right');
      const expected = revisions.get(g.streamId) ?? 0;
      expect(g.revision).toBe(expected);
      revisions.set(g.streamId, expected + 1);
      expect(g.metadata.recordedAt >= lastRecorded).toBe(true);
      lastRecorded = g.metadata.recordedAt;
      expect(g.metadata.occurredAt <= g.metadata.recordedAt).toBe(true);
    }
    const line = serializeStoredEvent(events[0]!);
    expect(decodeStoredLine(line).event).toEqual(events[0]!.event);
  });

  it('has plausible variety: both tiers, phone entered late, pauses, reclassifications, reopenings, outages', () => {
    const types = new Map<string, number>();
    for (const g of events) types.set(g.event.type, (types.get(g.event.type) ?? 0) + 1);
    for (const t of ['TicketOpened', 'TicketAwaitingCustomer', 'CustomerReplied', 'TicketReopened', 'OutageDeclared', 'OutageDebriefRecorded', 'TicketLinkedToOutage']) {
      expect(types.get(t) ?? 0).toBeGreaterThan(0);
    }
    const opened = events.flatMap((g) => (g.event.type === 'TicketOpened' ? [g] : []));
    const tiers = new Set(opened.map((g) => (g.event.type === 'TicketOpened' ? g.event.data.tier : '')));
    expect(tiers).toEqual(new Set(['premium', 'professional']));
    const late = opened.filter((g) => g.event.type === 'TicketOpened' && g.event.data.channel === 'phone' && g.metadata.occurredAt < g.metadata.recordedAt);
    expect(late.length).toBeGreaterThan(0);
    expect(events.some((g) => g.event.type === 'TicketClassified' && g.event.data.reclassified)).toBe(true);
  });
});
