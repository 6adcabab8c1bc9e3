import { SingleBar } from 'cli-progress';

/** Progress of a replay: told about every event, finished once. */
export interface ReplayProgress {
  tick(units: number): void;
  stop(): void;
}

const SILENT: ReplayProgress = { tick: () => undefined, stop: () => undefined };

/** The terminal-facing part of a stream: where the bar draws and whether a person is watching. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  readonly label: string;
  /** Units to reach (events, or log positions for stores whose positions are offsets). */
  readonly total: number;
  readonly quiet: boolean;
  /** Standard error, normally: the bar never goes to standard output, which carries the result. */
  readonly stream: ProgressStream;
  /** Monotonic milliseconds (injected for tests). */
  readonly now?: () => number;
}

/**
 * A progress bar with events per second, drawn on `stream` only when it is a terminal and
 * `--quiet` was not given. Piped or redirected output never receives a byte of it.
 */
export function replayProgress(options: ProgressOptions): ReplayProgress {
  if (options.quiet || options.stream.isTTY !== true || options.total <= 0) return SILENT;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let events = 0;
  const bar = new SingleBar({
    // Only a real terminal stream gets here (isTTY), and those are full writable streams.
    stream: options.stream as NodeJS.WritableStream,
    format: `${options.label} {bar} {percentage}% | {events} events | {rate} events/s`,
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
    etaBuffer: 50,
  });
  bar.start(options.total, 0, { events: '0', rate: '0' });
  const payload = (): { events: string; rate: string } => {
    const seconds = (now() - started) / 1000;
    return { events: events.toLocaleString('en-US'), rate: seconds > 0 ? Math.round(events / seconds).toLocaleString('en-US') : '0' };
  };
  return {
    tick(units: number): void {
      events += 1;
      // Updating the payload is cheap; the bar itself redraws at most `fps` times a second.
      if (events % 256 === 0) bar.update(Math.min(units, options.total), payload());
    },
    stop(): void {
      bar.update(options.total, payload());
      bar.stop();
    },
  };
}
