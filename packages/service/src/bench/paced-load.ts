import { Agent, request } from 'node:http';

export interface PacedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface PacedOptions {
  /**
   * Seconds of the same load sent first over the same connections and not counted (default 0):
   * the measurement then starts with the connections open and the service at that rate, instead
   * of with a burst of new connections.
   */
  readonly warmUpSeconds?: number;
  /** Called with each counted request's send time (ms since counting started) and latency, to see when slow answers happened. */
  readonly trace?: (sentAt: number, latency: number) => void;
}

export interface PacedResult {
  readonly rate: number;
  /** Requests counted (those of the warm-up are not). */
  readonly sent: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** Non-2xx answers and failed requests. */
  readonly errors: number;
  /** The most connections that were busy at once. */
  readonly peakConnections: number;
  /** Seconds from the first counted request being due to the last answer. */
  readonly seconds: number;
  /** How late the generator itself sent requests (p99, ms): its own share of the latencies. */
  readonly sendLagP99: number;
}

/**
 * An open-loop load at a fixed rate: request `i` is due at `i / rate` seconds, whether or not the
 * earlier ones have been answered, over a pool of at most `connections` keep-alive connections.
 * Latency is measured from the moment a request was due, not from when a connection was free to
 * send it, so time spent waiting behind slow answers is counted (no coordinated omission).
 *
 * autocannon paces a connection by allowing it so many requests per second and sending them as
 * fast as it can at the start of each second; its paced latencies are those of a burst every
 * second. This spreads the requests evenly instead.
 *
 * With `warmUpSeconds`, the same load runs that long first and is not counted, so the counted
 * requests find the connections open, as a client's keep-alive pool would be.
 */
export async function pacedLoad(
  baseUrl: string,
  spec: PacedRequest,
  rate: number,
  seconds: number,
  connections: number,
  options: PacedOptions = {},
): Promise<PacedResult> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const warmUp = Math.max(0, Math.round(rate * (options.warmUpSeconds ?? 0)));
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  const lags: number[] = [];
  let errors = 0;
  let busy = 0;
  let peak = 0;
  let lastAnswer = 0;
  const started = performance.now();
  const counted = started + (warmUp * 1000) / rate;
  const send = (due: number, count: boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      busy++;
      if (count) peak = Math.max(peak, busy);
      // Sent up to a millisecond early (timers are not finer), a request counts from when it was sent.
      const from = Math.min(due, performance.now());
      if (count) lags.push(Math.max(0, performance.now() - due));
      const done = (failed: boolean): void => {
        busy--;
        // A failure during the warm-up counts too: every error is reported.
        if (failed) errors++;
        if (count) {
          const latency = performance.now() - from;
          latencies.push(latency);
          lastAnswer = performance.now();
          options.trace?.(from - counted, latency);
        }
        resolve();
      };
      const req = request(
        { host: url.hostname, port: url.port, path: spec.path, method: spec.method, headers: spec.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode === undefined || res.statusCode >= 300));
          res.on('error', () => done(true));
        },
      );
      req.on('error', () => done(true));
      req.end(spec.body);
    });

  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < warmUp + total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(due, i >= warmUp));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const percentile = (values: number[], q: number): number => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
  return {
    rate,
    sent: total,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    p999: percentile(latencies, 0.999),
    errors,
    peakConnections: peak,
    seconds: (lastAnswer - counted) / 1000,
    sendLagP99: percentile(lags, 0.99),
  };
}
