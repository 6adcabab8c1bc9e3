import type { DomainEvent } from '@support-sla/domain';
import type { EnvelopedEvent } from './audit/audit-timeline.js';
import { complianceReport, whatIfReport } from './compliance/compliance.js';
import { complianceReportToCsv } from './compliance/csv.js';
import { readModelsProjection } from './model/read-models.js';
import { queueView } from './queue/queue.js';
import { slaStatusBoard } from './sla-status/sla-status.js';
import { canonicalJson } from './support/canonical-json.js';
import { groupInOrder, interleave } from './support/interleave.js';
import { mulberry32 } from './support/prng.js';
import { EventLog } from './testing/event-log.js';
import { envelopedOf, generateHistory } from './testing/history.js';
import { deskPolicy, strictPolicy } from './testing/fixtures.js';

// A generated history (tickets of both tiers, pauses, reclassifications, reopenings, outages,
// late phone entries) plus the publication of policy v2 in its own stream.
const published = new EventLog(deskPolicy).publish('2026-01-02T12:00:00Z', deskPolicy).publish('2026-01-02T12:01:00Z', strictPolicy);
const history: EnvelopedEvent<DomainEvent>[] = [
  ...published.events,
  ...[...generateHistory({ seed: 2026, events: 12_000, startMs: Date.UTC(2026, 2, 2, 13) })].map(envelopedOf),
];
const projection = readModelsProjection({ policies: [] });
const period = { from: '2026-03-01T05:00:00Z', to: '2026-04-01T04:00:00Z', asOf: '2026-04-15T12:00:00Z' };

/** Everything the read models answer, as bytes. */
const outputs = (events: readonly EnvelopedEvent<DomainEvent>[]) => {
  let model = projection.initialState();
  for (const { event, envelope } of events) model = projection.evolve(model, event, envelope);
  const report = complianceReport(model, period);
  const { whatIf } = whatIfReport(model, period, 2);
  return {
    model: projection.serialize(model),
    report: canonicalJson(report),
    csv: complianceReportToCsv(report, whatIf),
    board: canonicalJson(slaStatusBoard(model, '2026-03-20T15:00:00Z')),
    queue: canonicalJson(queueView(model.queue)),
  };
};

describe('determinism', () => {
  const reference = outputs(history);

  it('has something to compare: a report with tickets, breaches and outages', () => {
    const report = JSON.parse(reference.report) as { total: { received: number; breachedTickets: string[] }; outages: { count: number } };
    expect(report.total.received).toBeGreaterThan(500);
    expect(report.total.breachedTickets.length).toBeGreaterThan(0);
    expect(report.outages.count).toBeGreaterThan(0);
  });

  it('gives the same bytes on a second run', () => {
    expect(outputs(history)).toEqual(reference);
  });

  it.each([1, 2, 3])('gives the same bytes when independent streams are delivered interleaved differently (shuffle %i)', (seed) => {
    const streams = groupInOrder(history, (e) => e.envelope.streamId);
    const shuffled = interleave(streams, mulberry32(seed));
    expect(shuffled.map((e) => e.envelope.eventId)).not.toEqual(history.map((e) => e.envelope.eventId));
    expect(outputs(shuffled)).toEqual(reference);
  });
});
