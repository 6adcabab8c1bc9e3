/**
 * The part of autocannon 8's programmatic API the benchmark uses (the package ships no types,
 * and no @types release covers 8.x).
 */
declare module 'autocannon' {
  namespace autocannon {
    interface RequestSpec {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (request: RequestSpec, context: Record<string, unknown>) => RequestSpec | undefined;
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }
    interface Options extends RequestSpec {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      /** Requests per second over all connections (no limit by default). */
      overallRate?: number;
      timeout?: number;
      title?: string;
      requests?: RequestSpec[];
      initialContext?: Record<string, unknown>;
    }
    /** hdr-histogram-percentiles-obj: min, max, mean, stddev and p50, p90, p97_5, p99, p99_9, ... */
    interface Histogram {
      readonly min: number;
      readonly max: number;
      readonly mean: number;
      readonly average: number;
      readonly p50: number;
      readonly p90: number;
      readonly p97_5: number;
      readonly p99: number;
      readonly p99_9: number;
      readonly total: number;
    }
    interface Result {
      readonly title?: string;
      readonly requests: Histogram;
      readonly latency: Histogram;
      readonly duration: number;
      readonly errors: number;
      readonly timeouts: number;
      readonly non2xx: number;
      readonly mismatches: number;
      readonly resets: number;
      readonly statusCodeStats: Record<string, { count: number }>;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
