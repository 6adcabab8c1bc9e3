import { useCallback, useEffect, useRef, useState } from 'react';
import { problem } from './api';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Runs `load` now and whenever `deps` change; `reload()` runs it again. Failures become a message. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const mine = ++current.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (mine === current.current) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (mine === current.current) setState((s) => ({ data: s.data, error: problem(error), loading: false }));
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The current time, updated every `everyMs`. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Calls `tick` every `everyMs` while the page is shown. */
export function useInterval(tick: () => void, everyMs: number): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    const timer = setInterval(() => saved.current(), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
}

/** The hash route: `#/queue`, `#/tickets/T-1?asOf=…` → `['queue']`, `['tickets','T-1']` and the query. */
export function useRoute(): { path: string[]; query: URLSearchParams } {
  const read = (): string => window.location.hash.replace(/^#\/?/, '');
  const [hash, setHash] = useState(read);
  useEffect(() => {
    const onChange = (): void => setHash(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const [path = '', query = ''] = hash.split('?');
  return { path: path.split('/').filter((p) => p !== '').map(decoded), query: new URLSearchParams(query) };
}

/** A path segment decoded; one that is not valid percent-encoding (a hand-edited link) as it is. */
const decoded = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};
