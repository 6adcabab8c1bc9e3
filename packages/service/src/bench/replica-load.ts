import { Agent, request } from 'node:http';
import type { PacedRequest } from './paced-load';

export interface ClosedLoopResult {
  /** Requests counted (those of the warm-up are not). */
  readonly requests: number;
  /** Non-2xx answers and failed requests. */
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** Answers by status code (`error` for a failed request). */
  readonly statuses: Readonly<Record<string, number>>;
}

/**
 * A saturating (closed-loop) load over one or more base URLs: `connections` keep-alive
 * connections, connection `i` sending to `baseUrls[i % n]`, each sending its next request as soon
 * as the previous one is answered. Every latency is kept, so the percentiles are those of all
 * requests together, whichever replica answered them (three autocannon runs would give three
 * histograms that cannot be merged).
 */
export async function closedLoopLoad(
  baseUrls: readonly string[],
  spec: PacedRequest,
  connections: number,
  seconds: number,
  options: { readonly warmUpSeconds?: number } = {},
): Promise<ClosedLoopResult> {
  const agents = baseUrls.map(() => new Agent({ keepAlive: true, maxSockets: connections }));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const countFrom = started + (options.warmUpSeconds ?? 0) * 1000;
  const end = countFrom + seconds * 1000;

  const once = (index: number): Promise<number | 'error'> =>
    new Promise((resolve) => {
      const url = new URL(spec.path, baseUrls[index]!);
      const req = request(url, { method: spec.method, headers: spec.headers, agent: agents[index]! }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve('error'));
      });
      req.on('error', () => resolve('error'));
      req.end(spec.body);
    });

  const connection = async (i: number): Promise<void> => {
    const index = i % baseUrls.length;
    while (performance.now() < end) {
      const sentAt = performance.now();
      const status = await once(index);
      if (sentAt < countFrom) continue;
      latencies.push(performance.now() - sentAt);
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (status === 'error' || status < 200 || status >= 300) errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, (_, i) => connection(i)));
  } finally {
    for (const agent of agents) agent.destroy();
  }
  const elapsed = (performance.now() - countFrom) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { requests: latencies.length, errors, seconds: elapsed, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), p999: at(0.999), statuses };
}

/**
 * The number-allocation conflicts a service has retried so far, from its `/metrics` text (see
 * {@link parseNumberConflicts}). Undefined when the service exposes no such figure.
 */
export async function numberConflicts(baseUrl: string): Promise<NumberConflicts | undefined> {
  const res = await fetch(`${baseUrl}/metrics`);
  const text = await res.text();
  return res.status === 200 ? parseNumberConflicts(text) : undefined;
}

export interface NumberConflicts {
  readonly total: number;
  /** The samples read, for the printout. */
  readonly metrics: readonly string[];
}

/** A metric of its own for number conflicts, should one be added: its name speaks of ticket numbers and of conflicts or retries. */
const DEDICATED = /^(\w*(?:ticket_?numbers?|number_?allocation)\w*(?:conflict|retr)\w*|\w*(?:conflict|retr)\w*(?:ticket_?numbers?|number_?allocation)\w*)(?:\{[^}]*\})?\s+(\S+)$/i;
/** Numbers claimed in the store: one `claim-SS-…` stream per number, appends to it counted under the category `claim`. */
const CLAIM_CONFLICTS = /^support_sla_append_conflicts_total\{[^}]*category="claim"[^}]*\}\s+(\S+)$/;
const CLAIM_APPENDS = /^support_sla_append_duration_seconds_count\{[^}]*category="claim"[^}]*\}\s+\S+$/;

/**
 * The number-allocation conflicts in a Prometheus text exposition:
 * - a dedicated metric ({@link DEDICATED}: a histogram's `_sum` counts, its buckets and count do not), if there is one;
 * - else, when numbers are claimed in the store (appends of category `claim` are timed), the
 *   append conflicts of that category, `support_sla_append_conflicts_total{category="claim"}`
 *   (0 while there were none: prom-client shows a label only once it was counted);
 * - else undefined: this service allocates numbers some other way (a local table) and counts no conflicts.
 */
export function parseNumberConflicts(text: string): NumberConflicts | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  let total = 0;
  const metrics = new Set<string>();
  for (const line of lines) {
    const match = DEDICATED.exec(line);
    if (match === null || /_(bucket|count)$/.test(match[1]!)) continue;
    const value = Number(match[2]);
    if (!Number.isFinite(value)) continue;
    total += value;
    metrics.add(match[1]!);
  }
  if (metrics.size > 0) return { total, metrics: [...metrics] };
  if (!lines.some((l) => CLAIM_APPENDS.test(l))) return undefined;
  const claimConflicts = lines.map((l) => CLAIM_CONFLICTS.exec(l)?.[1]).find((v) => v !== undefined);
  return { total: claimConflicts === undefined ? 0 : Number(claimConflicts), metrics: ['support_sla_append_conflicts_total{category="claim"}'] };
}
