/**
 * Replay benchmark: `npm run bench -w @support-sla/projections [-- --events N] [--seed S]`.
 *
 * Streams a seeded history in chunks: generate → serialize (untimed) → for the same chunk of
 * lines, time (a) the baseline, `JSON.parse` of each line and nothing else, and (b) the replay,
 * `JSON.parse` + the domain's codec + the envelope codec + every standing projection at once
 * (the read models behind the SLA status board, the queue and the compliance reports, and the
 * audit timeline of one ticket).
 * Nothing holds the whole history: each chunk is dropped once both timings have run.
 */
import { defaultPolicy } from '@support-sla/domain';
import { auditTimelineProjection } from '../audit/audit-timeline.js';
import { complianceReportToCsv } from '../compliance/csv.js';
import { whatIfReport } from '../compliance/compliance.js';
import { readModelsProjection } from '../model/read-models.js';
import { queueView } from '../queue/queue.js';
import { slaStatusBoard } from '../sla-status/sla-status.js';
import { decodeStoredLine } from '../stored-line.js';
import { generateHistory, serializeStoredEvent } from '../testing/history.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
};

const total = arg('events', 1_000_000);
const seed = arg('seed', 42);
const chunkSize = arg('chunk', 10_000);
const gc = (globalThis as { gc?: () => void }).gc;

// The what-if: Professional confirmation within 2 business hours instead of 4.
const whatIfPolicy = {
  ...defaultPolicy,
  version: 2,
  targets: { ...defaultPolicy.targets, professional: { ...defaultPolicy.targets.professional, confirmation: { kind: 'business-minutes' as const, minutes: 120 } } },
};

const projection = readModelsProjection({ policies: [defaultPolicy] });
let models = projection.initialState();
// The audit timeline is a projection too: follow one ticket through the whole log.
const audited = 't0000042';
const timeline = auditTimelineProjection(audited, { policies: [defaultPolicy] });
let timelineModel = timeline.initialState();

let baselineNs = 0n;
let replayNs = 0n;
let generateNs = 0n;
let bytes = 0;
let count = 0;
let peakRss = 0;
let peakHeap = 0;
let peakLiveHeap = 0;
let chunks = 0;
let sink = 0;
let lastIso = '';

const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};

gc?.();
const startHeap = process.memoryUsage().heapUsed;
const history = generateHistory({ seed, events: total });
let lines: string[] = [];
const wallStart = process.hrtime.bigint();

const runChunk = () => {
  // Baseline: JSON.parse of the same serialized events, and nothing else.
  let t = process.hrtime.bigint();
  for (const line of lines) sink += (JSON.parse(line) as { type: string }).type.length;
  baselineNs += process.hrtime.bigint() - t;
  t = process.hrtime.bigint();
  for (const line of lines) {
    const { event, envelope } = decodeStoredLine(line);
    models = projection.evolve(models, event, envelope);
    timelineModel = timeline.evolve(timelineModel, event, envelope);
    lastIso = envelope.recordedAt;
  }
  replayNs += process.hrtime.bigint() - t;
  count += lines.length;
  lines = [];
  sample();
  // Every 10th chunk, what is really live (after a full GC, outside the timed sections).
  if (gc !== undefined && ++chunks % 10 === 0) {
    gc();
    peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed - startHeap);
  }
};

let t0 = process.hrtime.bigint();
for (const g of history) {
  const line = serializeStoredEvent(g);
  bytes += line.length;
  lines.push(line);
  if (lines.length >= chunkSize) {
    generateNs += process.hrtime.bigint() - t0;
    runChunk();
    t0 = process.hrtime.bigint();
  }
}
generateNs += process.hrtime.bigint() - t0;
if (lines.length > 0) runChunk();
const wallNs = process.hrtime.bigint() - wallStart;

// Read the models once, as a consumer would (not timed in the ratio).
const t = process.hrtime.bigint();
const board = slaStatusBoard(models, lastIso);
const queue = queueView(models.queue, { limit: 20 });
const { actual: report, whatIf } = whatIfReport(models, { from: '2026-01-01T05:00:00Z', to: '2030-01-01T05:00:00Z', asOf: lastIso }, whatIfPolicy);
const csv = complianceReportToCsv(report, whatIf);
const queryMs = Number(process.hrtime.bigint() - t) / 1e6;
sample();
gc?.();
const endHeap = process.memoryUsage().heapUsed;

const secs = (ns: bigint) => Number(ns) / 1e9;
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const ratio = Number(replayNs) / Number(baselineNs);
const rows: [string, string][] = [
  ['events', count.toLocaleString('en-US')],
  ['tickets', report.total.received.toLocaleString('en-US') + ' received'],
  ['serialized bytes', `${mb(bytes)} MiB`],
  ['baseline: JSON.parse only', `${secs(baselineNs).toFixed(2)} s  ${Math.round(count / secs(baselineNs)).toLocaleString('en-US')} events/s`],
  ['replay: parse + decode + all projections', `${secs(replayNs).toFixed(2)} s  ${Math.round(count / secs(replayNs)).toLocaleString('en-US')} events/s`],
  ['ratio replay / baseline', `${ratio.toFixed(2)}x  (target <= 5x)`],
  ['generator + serialize (untimed)', `${secs(generateNs).toFixed(2)} s`],
  ['wall clock', `${secs(wallNs).toFixed(2)} s`],
  ['peak RSS', `${mb(peakRss)} MiB`],
  ['peak heap used', `${mb(peakHeap)} MiB`],
  ['peak live heap (after GC, every 10 chunks)', gc ? `${mb(peakLiveHeap)} MiB over start` : 'n/a (run with --expose-gc)'],
  ['heap after replay (after GC)', `${mb(endHeap - startHeap)} MiB over start`],
  ['open tickets in queue', queue.total.toLocaleString('en-US')],
  ['tickets open / archived (compact)', `${models.open.size.toLocaleString('en-US')} / ${models.closed.size.toLocaleString('en-US')}`],
  ['confirmation within target: actual / what-if', `${report.total.confirmation.withinTargetPercent ?? '-'} % / ${whatIf.total.confirmation.withinTargetPercent ?? '-'} %`],
  [`audit timeline of ${audited}`, `${timelineModel.entries.length} events`],
  ['queries after replay (board, 2 reports, CSV)', `${queryMs.toFixed(0)} ms (${board.tickets.length} open, ${csv.length} CSV bytes)`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`projections replay benchmark — seed ${seed}, Node ${process.version}, ${gc ? 'gc exposed' : 'no --expose-gc'}`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
if (sink < 0) console.log(sink);
