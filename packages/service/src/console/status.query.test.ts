import { initialOutageBoard, type OutageBoard } from '@support-sla/domain';
import { renderStatusPage } from './status.page';
import { publicStatusOf } from './status.query';

const report = (monitor: 'chicago' | 'california' | 'atlanta', status: 'up' | 'down', at: string, seq: number) => ({ monitor, status, observedAtMs: Date.parse(at), seq });
const outage = (id: string, source: 'monitors' | 'staff', declared: string, ended: string | null) => ({
  outageId: id,
  source,
  scope: null,
  reason: null,
  declaredAtMs: Date.parse(declared),
  endedAtMs: ended === null ? null : Date.parse(ended),
  alertsSentAtMs: { email: null, webhook: null },
  acknowledgedAtMs: null,
  acknowledgedBy: null,
  debrief: null,
  debriefRecordedAtMs: null,
  closed: false,
  closedAtMs: null,
});

describe('publicStatusOf', () => {
  test('each monitor’s latest report wins, whether it is in the baseline or the window; a report observed earlier but received later does not', () => {
    const board: OutageBoard = {
      ...initialOutageBoard,
      baseline: { chicago: report('chicago', 'down', '2026-03-09T10:00:00Z', 1), california: report('california', 'up', '2026-03-09T10:00:00Z', 2), atlanta: null },
      reports: [report('california', 'down', '2026-03-10T09:00:00Z', 4), report('california', 'up', '2026-03-10T09:30:00Z', 3)],
    };
    const status = publicStatusOf(board, 3n, Date.parse('2026-03-10T10:00:00Z'));
    expect(status.monitors).toEqual([
      { monitor: 'chicago', status: 'down', reportedAt: '2026-03-09T10:00:00.000Z' },
      { monitor: 'california', status: 'up', reportedAt: '2026-03-10T09:30:00.000Z' },
      { monitor: 'atlanta', status: null, reportedAt: null },
    ]);
    expect(status.boardRevision).toBe('3');
    expect(status.checkedAt).toBe('2026-03-10T10:00:00.000Z');
  });

  test('the open outage and the latest restoration among the ended ones', () => {
    const board: OutageBoard = {
      ...initialOutageBoard,
      outages: [outage('OUTAGE-0001', 'monitors', '2026-03-01T10:00:00Z', '2026-03-01T12:00:00Z'), outage('OUTAGE-0002', 'monitors', '2026-03-05T10:00:00Z', '2026-03-05T11:00:00Z'), outage('OUTAGE-0003', 'staff', '2026-03-10T08:00:00Z', null)],
    };
    const status = publicStatusOf(board, undefined, 0);
    expect(status.outage).toEqual({ declared: true, since: '2026-03-10T08:00:00.000Z', source: 'staff' });
    expect(status.lastRestoration).toBe('2026-03-05T11:00:00.000Z');
    expect(status.boardRevision).toBeNull();
    expect(renderStatusPage(status)).toContain('data-outage="declared">An outage is declared since <time datetime="2026-03-10T08:00:00.000Z">2026-03-10 08:00:00 UTC</time> (declared by support staff)');
  });
});
