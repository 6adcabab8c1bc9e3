import { useEffect, useMemo, useRef, useState } from 'react';
import type { Schemas } from '@support-sla/client';
import { api, problem } from '../api';
import { ClockBadge, Countdown, ErrorNote, policyZone, useIdentity, usePolicies, When } from '../common';
import { useInterval, useNow } from '../hooks';
import { canRead } from '../session';

type QueueView = Schemas['QueueView'];
type Board = Schemas['SlaStatusBoard'];
type BoardTicket = Board['tickets'][number];

const TIERS = ['all', 'premium', 'professional'] as const;
/** How often the page asks whether the log moved (a cheap `GET /queue`). */
export const POLL_MS = 2_000;
/** How often the clocks are read again even when nothing was written (business time moves on). */
const CLOCKS_MS = 30_000;

const CLOCKS = ['confirmation', 'response', 'resolution'] as const;
/** Rows per page: the page asks the API for the first `page × PAGE_SIZE` tickets only (`limit`). */
export const PAGE_SIZE = 100;

const pageNumber = (text: string | null): number => {
  const n = Number(text ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
};
const queueHref = (tier: string, page: number): string => {
  const query = new URLSearchParams({ ...(tier === 'all' ? {} : { tier }), ...(page === 1 ? {} : { page: String(page) }) }).toString();
  return `#/queue${query === '' ? '' : `?${query}`}`;
};

/**
 * Open tickets in the API's priority order, with their clocks from the SLA board, a page of
 * {@link PAGE_SIZE} rows at a time (a queue of 10,000 tickets re-rendered every second would
 * stall the browser). The queue is polled every {@link POLL_MS} (`limit`: only up to this page);
 * when its `readModelPosition` moves (a command was recorded), the board is read again at that
 * position, so the page updates without a reload.
 */
export function QueuePage({ tier: tierParam, page: pageParam }: { tier: string | null; page?: string | null }) {
  const page = pageNumber(pageParam ?? null);
  const identity = useIdentity();
  const tier = (TIERS as readonly string[]).includes(tierParam ?? '') ? (tierParam as (typeof TIERS)[number]) : 'all';
  const policies = usePolicies(canRead(identity?.role));
  const zone = policyZone(policies);
  const now = useNow();
  const [queue, setQueue] = useState<QueueView | undefined>();
  const [board, setBoard] = useState<Board | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [updatedAt, setUpdatedAt] = useState<number | undefined>();
  // The service's clock is the SLA's truth: countdowns run from its `asOf`, not the browser's clock.
  const [skew, setSkew] = useState(0);
  const position = useRef<string | null | undefined>(undefined);
  const boardAt = useRef(0);
  const busy = useRef(false);

  const refresh = async (force: boolean): Promise<void> => {
    if (busy.current) return;
    busy.current = true;
    try {
      const limit = String(page * PAGE_SIZE);
      const q = await api.GET('/queue', { params: { query: tier === 'all' ? { limit } : { tier, limit } } });
      const moved = q.readModelPosition !== position.current;
      if (moved || force || Date.now() - boardAt.current > CLOCKS_MS) {
        const minPosition = q.readModelPosition ?? undefined;
        const b = await api.GET('/sla', { params: { query: minPosition === undefined ? {} : { minPosition } } });
        setBoard(b);
        boardAt.current = Date.now();
        setSkew(Date.parse(b.asOf) - Date.now());
      }
      position.current = q.readModelPosition;
      setQueue(q);
      setError(undefined);
      setUpdatedAt(Date.now());
    } catch (e) {
      setError(problem(e));
    } finally {
      busy.current = false;
    }
  };

  useEffect(() => {
    position.current = undefined;
    void refresh(true);
  }, [tier, page]);
  useInterval(() => void refresh(false), POLL_MS);

  // Built once per board (every 30 s, or when the log moved), not on every tick of the countdowns.
  const clocks = useMemo(() => new Map<string, BoardTicket>(board?.tickets.map((t) => [t.ticketId, t]) ?? []), [board]);
  const breached = useMemo(() => new Set(board?.breached ?? []), [board]);
  const atRisk = useMemo(() => new Set(board?.atRisk ?? []), [board]);
  const rows = queue?.entries.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) ?? [];
  const pages = queue === undefined ? 1 : Math.max(1, Math.ceil(queue.total / PAGE_SIZE));
  const pager = (where: 'top' | 'bottom') =>
    queue !== undefined && pages > 1 ? (
      <nav className="toolbar" aria-label={`Queue pages (${where})`} data-testid={`queue-pages-${where}`}>
        {page > 1 ? <a href={queueHref(tier, page - 1)}>Previous {PAGE_SIZE}</a> : null}
        <span className="muted">
          Rows {rows.length === 0 ? 0 : (page - 1) * PAGE_SIZE + 1}–{(page - 1) * PAGE_SIZE + rows.length} of {queue.total} · page {page} of {pages}
        </span>
        {page < pages ? <a href={queueHref(tier, page + 1)}>Next {PAGE_SIZE}</a> : null}
      </nav>
    ) : null;

  return (
    <>
      <h1>Queue</h1>
      <div className="toolbar">
        <fieldset className="tiers">
          <legend>Tier</legend>
          {TIERS.map((t) => (
            <a key={t} href={t === 'all' ? '#/queue' : `#/queue?tier=${t}`} aria-current={t === tier ? 'true' : undefined} className="chip">
              {t}
            </a>
          ))}
        </fieldset>
        <button type="button" onClick={() => void refresh(true)}>
          Refresh
        </button>
        <span className="muted" aria-live="polite">
          {queue === undefined ? 'Loading…' : `${queue.total} open · log position ${queue.readModelPosition ?? 'empty'}`}
          {updatedAt !== undefined ? ` · checked ${new Date(updatedAt).toLocaleTimeString()}` : ''}
        </span>
      </div>
      <p className="muted">
        Times in your zone{zone !== undefined ? `, with the policy’s (${zone}) beside them` : ''}. Countdowns are wall-clock time to the deadline; business time left is the
        service’s figure as of its last answer.
      </p>
      <ErrorNote message={error} />
      {pager('top')}
      {queue !== undefined ? (
        <table className="queue" data-testid="queue">
          <caption>Open tickets in the agreement’s priority order</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Ticket</th>
              <th scope="col">Tier</th>
              <th scope="col">Class</th>
              <th scope="col">Received</th>
              {CLOCKS.slice(0, 2).map((c) => (
                <th scope="col" key={c}>
                  {c === 'confirmation' ? 'Confirmation' : 'Response'} deadline
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const t = clocks.get(e.ticketId);
              const mark = breached.has(e.ticketNumber) ? 'breached' : atRisk.has(e.ticketNumber) ? 'at-risk' : undefined;
              return (
                <tr key={e.ticketId} data-ticket={e.ticketId} data-mark={mark} className={mark !== undefined ? `row-${mark}` : undefined}>
                  <td>{e.position}</td>
                  <td>
                    <a href={`#/tickets/${encodeURIComponent(e.ticketId)}`}>{e.ticketNumber}</a>
                    {mark === 'breached' ? <span className="badge badge-breached"> breached</span> : mark === 'at-risk' ? <span className="badge badge-at-risk"> at risk</span> : null}
                    {e.awaitingCustomer ? <span className="badge badge-paused"> waiting on customer</span> : null}
                  </td>
                  <td>{e.tier}</td>
                  <td>
                    {e.priorityClass}
                    {e.usersAffected !== null ? ` (${e.usersAffected} users)` : ''}
                  </td>
                  <td>
                    <When iso={e.receivedAt} zone={zone} />
                  </td>
                  {CLOCKS.slice(0, 2).map((c) => {
                    const clock = t?.[c];
                    return (
                      <td key={c} data-clock={c} data-deadline={clock?.deadline ?? ''} data-status={clock?.status ?? ''}>
                        {clock === undefined ? (
                          <span className="muted">…</span>
                        ) : (
                          <>
                            <ClockBadge clock={clock} /> <When iso={clock.deadline} zone={zone} />
                            <br />
                            <Countdown clock={clock} now={now + skew} />
                          </>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {pager('bottom')}
    </>
  );
}
