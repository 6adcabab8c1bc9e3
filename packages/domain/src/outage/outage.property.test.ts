import fc from 'fast-check';
import { arbOutageHistory } from '../testing/arbitraries';
import { outageDecider } from './outage.decider';
import { allDownIntervals, initialOutageBoard } from './outage.state';

describe.each([
  ['six hours', 6 * 3_600_000],
  ['three days', 3 * 86_400_000],
])('outage invariants under random, out-of-order monitor reports over %s', (_label, spanMs) => {
  it('outages never overlap, end after they start, at most one is open, and each is declared from reports showing all three down', () => {
    fc.assert(
      fc.property(arbOutageHistory(30, spanMs), (events) => {
        let board = outageDecider.initialState;
        for (const event of events) {
          if (event.type === 'OutageDeclared') {
            // Decisions use the reports known when they were made (later reports never rewrite them).
            const declaredAtMs = Date.parse(event.data.declaredAt);
            expect(allDownIntervals(board).some((interval) => interval.startMs === declaredAtMs)).toBe(true);
          }
          board = outageDecider.evolve(board, event);
        }
        const outages = board.outages;
        expect(outages.filter((o) => o.endedAtMs === null).length).toBeLessThanOrEqual(1);
        outages.forEach((o, i) => {
          if (o.endedAtMs !== null) expect(o.endedAtMs).toBeGreaterThan(o.declaredAtMs);
          const previous = outages[i - 1];
          if (previous !== undefined) {
            expect(previous.endedAtMs).not.toBeNull();
            expect(o.declaredAtMs).toBeGreaterThanOrEqual(previous.endedAtMs ?? Number.POSITIVE_INFINITY);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('with reports in order, the declared outages are exactly the all-down intervals', () => {
    fc.assert(
      fc.property(arbOutageHistory(30, spanMs), (events) => {
        const board = events.reduce(outageDecider.evolve, outageDecider.initialState);
        const inOrder = events.every((e, i) => {
          const prev = events.slice(0, i).filter((p) => p.type === 'MonitorReportedStatus');
          return e.type !== 'MonitorReportedStatus' || prev.every((p) => p.type === 'MonitorReportedStatus' && Date.parse(p.data.observedAt) <= Date.parse(e.data.observedAt));
        });
        fc.pre(inOrder);
        const reports = events.flatMap((e, seq) =>
          e.type === 'MonitorReportedStatus' ? [{ monitor: e.data.monitor, status: e.data.status, observedAtMs: Date.parse(e.data.observedAt), seq }] : [],
        );
        const intervals = allDownIntervals({ baseline: initialOutageBoard.baseline, reports });
        expect(board.outages.map((o) => [o.declaredAtMs, o.endedAtMs])).toEqual(intervals.map((i) => [i.startMs, i.endMs]));
      }),
      { numRuns: 200 },
    );
  });
});
