import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { Schemas } from '@support-sla/client';
import { CATEGORIES } from '@support-sla/domain/categories';
import { api, newKey, problem } from '../api';
import { ClockBadge, Countdown, ErrorNote, policyZone, Section, useIdentity, usePolicies, When, type Clock } from '../common';
import { duration, fromLocalInput, toLocalInput } from '../format';
import { useLoad, useNow } from '../hooks';
import { canRead, isStaff } from '../session';

type Details = Schemas['TicketDetails'];
type History = Schemas['TicketHistory'];
type AsOf = Schemas['TicketAsOf'];

const CLOCKS = ['confirmation', 'response', 'resolution'] as const;
type Category = (typeof CATEGORIES)[number];

/** A ticket: request, named user, classification, clocks, timeline, as-of view and staff actions. */
export function TicketPage({ id, query }: { id: string; query: URLSearchParams }) {
  const identity = useIdentity();
  const policies = usePolicies(canRead(identity?.role));
  const [version, setVersion] = useState(0);
  const details = useLoad(() => api.GET('/tickets/{id}', { params: { path: { id } } }), [id, version]);
  const history = useLoad(() => api.GET('/tickets/{id}/history', { params: { path: { id } } }), [id, version]);
  const zone = policyZone(policies, details.data?.ticket.policyVersion);
  const asOf = query.get('asOf');
  const reading = query.get('reading') === 'recorded' ? 'recorded' : 'occurred';
  // Countdowns run on the service's clock (its `asOf`), not the browser's.
  const skew = useMemo(() => (details.data === undefined ? 0 : Date.parse(details.data.asOf) - Date.now()), [details.data]);

  if (details.error !== undefined && details.data === undefined) {
    return (
      <>
        <h1>Ticket {id}</h1>
        <ErrorNote message={details.error} />
      </>
    );
  }
  if (details.data === undefined) return <p aria-live="polite">Loading ticket {id}…</p>;
  const { ticket, sla } = details.data;
  return (
    <>
      <h1>
        {ticket.ticketNumber} <span className="muted">{ticket.request.summary}</span>
      </h1>
      <p className="muted">
        {ticket.ticketId} · {ticket.tier} · {ticket.status} · queue {ticket.queue} · policy v{ticket.policyVersion}
        {zone !== undefined ? ` (${zone})` : ''}
      </p>
      <ErrorNote message={details.error ?? history.error} />
      <div className="grid">
        <Section title="Request">
          <dl>
            <dt>Summary</dt>
            <dd>{ticket.request.summary}</dd>
            <dt>Description</dt>
            <dd className="pre">{ticket.request.description}</dd>
            {ticket.request.stepsToReproduce !== undefined ? (
              <>
                <dt>Steps to reproduce</dt>
                <dd className="pre">{ticket.request.stepsToReproduce}</dd>
              </>
            ) : null}
            {ticket.request.usersAffected !== undefined ? (
              <>
                <dt>Users affected</dt>
                <dd>{ticket.request.usersAffected}</dd>
              </>
            ) : null}
            <dt>Channel</dt>
            <dd>{ticket.channel}</dd>
            <dt>Received</dt>
            <dd>
              <When iso={ticket.receivedAt} zone={zone} />
            </dd>
          </dl>
        </Section>
        <Section title="Named user">
          <dl>
            <dt>Name</dt>
            <dd>{ticket.namedUser.name ?? '—'}</dd>
            <dt>E-mail</dt>
            <dd>{ticket.namedUser.email}</dd>
            <dt>License</dt>
            <dd>{ticket.namedUser.license}</dd>
            <dt>User id</dt>
            <dd>{ticket.namedUser.id}</dd>
          </dl>
        </Section>
        <Section title="Classification">
          <dl>
            <dt>Suggested</dt>
            <dd>{ticket.suggestedCategory ?? '—'}</dd>
            <dt>Category</dt>
            <dd>{ticket.category ?? 'not classified yet'}</dd>
            <dt>Reclassifications</dt>
            <dd>{ticket.reclassifications}</dd>
          </dl>
          <ClassificationHistory history={history.data} zone={zone} />
        </Section>
      </div>
      <Section title="SLA clocks">
        <Clocks clocks={CLOCKS.map((c) => sla[c])} zone={zone} live skew={skew} />
      </Section>
      {isStaff(identity?.role) ? <Actions details={details.data} onDone={() => setVersion((v) => v + 1)} /> : null}
      <AsOfView id={id} asOf={asOf} reading={reading} zone={zone} serviceNow={details.data.asOf} />
      <Section title="Audit timeline">
        <Timeline history={history.data} zone={zone} />
      </Section>
    </>
  );
}

function ClassificationHistory({ history, zone }: { history: History | undefined; zone: string | undefined }) {
  const entries = history?.entries ?? [];
  const classified = entries.filter((e) => e.type === 'TicketClassified');
  if (classified.length === 0) return null;
  // A classification's queue is set by the TicketQueued the same command wrote (same correlation id).
  const queueAfter = (e: (typeof entries)[number]): string => entries.filter((x) => x.correlationId === e.correlationId).at(-1)?.queue ?? e.queue;
  return (
    <table>
      <caption>Classification history</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">By</th>
          <th scope="col">Queue after</th>
        </tr>
      </thead>
      <tbody>
        {classified.map((e) => (
          <tr key={e.eventId}>
            <td>
              <When iso={e.occurredAt} zone={zone} />
            </td>
            <td>
              {e.actorId} ({e.actorRole})
            </td>
            <td>{queueAfter(e)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Clocks({ clocks, zone, live, skew = 0 }: { clocks: Clock[]; zone: string | undefined; live: boolean; skew?: number }) {
  const now = useNow() + skew;
  return (
    <table className="clocks">
      <caption className="sr-only">The three SLA clocks</caption>
      <thead>
        <tr>
          <th scope="col">Clock</th>
          <th scope="col">State</th>
          <th scope="col">Started</th>
          <th scope="col">Deadline</th>
          <th scope="col">Stopped</th>
          <th scope="col">Business time used / target</th>
          {live ? <th scope="col">Left</th> : null}
        </tr>
      </thead>
      <tbody>
        {clocks.map((c) => (
          <tr key={c.clock} data-clock={c.clock} data-deadline={c.deadline ?? ''} data-status={c.status}>
            <th scope="row">{c.clock}</th>
            <td>
              <ClockBadge clock={c} />
            </td>
            <td>
              <When iso={c.startedAt} zone={zone} />
            </td>
            <td>{c.deadline === null ? <span className="muted">best effort</span> : <When iso={c.deadline} zone={zone} />}</td>
            <td>
              <When iso={c.stoppedAt} zone={zone} />
            </td>
            <td>
              {duration(c.businessTimeUsedMs)}
              {c.targetMs !== null ? ` / ${duration(c.targetMs)}` : ''}
              {c.pausedTimeMs > 0 ? <span className="muted"> (paused {duration(c.pausedTimeMs)})</span> : null}
            </td>
            {live ? (
              <td>
                <Countdown clock={c} now={now} />
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Timeline({ history, zone }: { history: History | undefined; zone: string | undefined }) {
  if (history === undefined) return <p className="muted">Loading…</p>;
  return (
    <table className="timeline" data-testid="timeline">
      <caption className="sr-only">Every event of the ticket with the time it occurred and the time it was recorded</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Event</th>
          <th scope="col">Occurred</th>
          <th scope="col">Recorded</th>
          <th scope="col">Actor</th>
          <th scope="col">Status / queue after</th>
        </tr>
      </thead>
      <tbody>
        {history.entries.map((e) => (
          <tr key={e.eventId} data-type={e.type} data-occurred={e.occurredAt} data-recorded={e.recordedAt}>
            <td>{e.revision}</td>
            <td>{e.type}</td>
            <td>
              <When iso={e.occurredAt} zone={zone} />
            </td>
            <td>
              <When iso={e.recordedAt} zone={zone} />
              {e.recordedAfterMs > 60_000 ? <span className="badge badge-at-risk"> {duration(e.recordedAfterMs)} later</span> : null}
            </td>
            <td>
              {e.actorId} ({e.actorRole})
            </td>
            <td>
              {e.ticketStatus} · {e.queue}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AsOfView({ id, asOf, reading, zone, serviceNow }: { id: string; asOf: string | null; reading: 'occurred' | 'recorded'; zone: string | undefined; serviceNow: string }) {
  const [local, setLocal] = useState(toLocalInput(asOf ?? serviceNow));
  const [how, setHow] = useState<'occurred' | 'recorded'>(reading);
  const view = useLoad<AsOf | undefined>(
    async () => (asOf === null ? undefined : api.GET('/tickets/{id}/sla', { params: { path: { id }, query: { asOf, reading } } })),
    [id, asOf, reading],
  );
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    window.location.hash = `#/tickets/${encodeURIComponent(id)}?asOf=${encodeURIComponent(fromLocalInput(local))}&reading=${how}`;
  };
  return (
    <Section title="As of an instant">
      <form className="inline" onSubmit={submit}>
        <label htmlFor="as-of">Instant (your zone)</label>
        <input id="as-of" type="datetime-local" value={local} onChange={(e) => setLocal(e.target.value)} required />
        <label htmlFor="reading">Reading</label>
        <select id="reading" value={how} onChange={(e) => setHow(e.target.value === 'recorded' ? 'recorded' : 'occurred')}>
          <option value="occurred">what had occurred</option>
          <option value="recorded">what had been recorded</option>
        </select>
        <button type="submit">Show</button>
      </form>
      <ErrorNote message={view.error} />
      {view.data !== undefined ? (
        <div data-testid="as-of">
          <p>
            As of <When iso={view.data.asOf} zone={zone} /> ({view.data.reading}): {view.data.state === null ? 'the ticket did not exist yet.' : `${view.data.state.status}, queue ${view.data.state.queue}, ${view.data.eventsApplied} events applied.`}
          </p>
          {view.data.sla !== null ? <Clocks clocks={CLOCKS.map((c) => view.data!.sla![c])} zone={zone} live={false} /> : null}
          {view.data.lateEntries.length > 0 ? <p>{view.data.lateEntries.length} event(s) had occurred by then but were recorded later.</p> : null}
        </div>
      ) : null}
    </Section>
  );
}

interface ActionProps {
  readonly details: Details;
  readonly onDone: () => void;
}

/** Staff commands: classify, respond, pause (waiting on the customer), resolve, close. */
function Actions({ details, onDone }: ActionProps) {
  const { ticket } = details;
  const path = { id: ticket.ticketId };
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  /** Runs a command; true when it was answered (its form then takes a new idempotency key). */
  const run = async (what: string, command: () => Promise<{ events: readonly string[] }>): Promise<boolean> => {
    setError(undefined);
    setMessage(undefined);
    try {
      const answer = await command();
      setMessage(`${what}: ${answer.events.length === 0 ? 'nothing to change' : answer.events.join(', ')}`);
      onDone();
      return true;
    } catch (e) {
      setError(problem(e));
      return false;
    }
  };
  const open = ticket.status === 'open';
  return (
    <Section title="Actions">
      <div className="actions">
        <ActionForm
          title="Classify"
          disabled={!open}
          fields={[
            { name: 'category', label: 'Category', options: CATEGORIES, initial: ticket.category ?? ticket.suggestedCategory ?? CATEGORIES[0] },
            { name: 'usersAffected', label: 'Users affected (optional)', type: 'number' },
            { name: 'stepsToReproduce', label: 'Steps to reproduce (errors and bugs)', multiline: true },
            { name: 'reason', label: 'Reason (needed to reclassify)' },
          ]}
          onSubmit={(v, key) =>
            run('Classified', () =>
              api.POST('/tickets/{id}/classification', {
                params: { path },
                idempotencyKey: key,
                body: { category: v['category'] as Category, ...(v['usersAffected'] ? { usersAffected: Number(v['usersAffected']) } : {}), ...(v['stepsToReproduce'] ? { stepsToReproduce: v['stepsToReproduce'] } : {}), ...(v['reason'] ? { reason: v['reason'] } : {}) },
              }),
            )
          }
        />
        <ActionForm
          title="Respond"
          disabled={!open}
          fields={[
            { name: 'message', label: 'Message to the customer', required: true, multiline: true },
            { name: 'actionPlan', label: ticket.tier === 'premium' ? 'Action plan (Premium: required)' : 'Action plan (optional)', multiline: true },
          ]}
          onSubmit={(v, key) =>
            run('Responded', () =>
              api.POST('/tickets/{id}/response', { params: { path }, idempotencyKey: key, body: { message: v['message'] ?? '', ...(v['actionPlan'] ? { actionPlan: v['actionPlan'] } : {}) } }),
            )
          }
        />
        <ActionForm
          title="Pause: waiting on the customer"
          disabled={!open || ticket.awaitingCustomerSince !== null}
          fields={[{ name: 'reason', label: 'What we asked the customer', required: true }]}
          onSubmit={(v, key) => run('Paused', () => api.POST('/tickets/{id}/awaiting-customer', { params: { path }, idempotencyKey: key, body: { reason: v['reason'] ?? '' } }))}
        />
        <ActionForm
          title="Resolve"
          disabled={!open}
          fields={[{ name: 'resolution', label: 'Resolution', required: true, multiline: true }]}
          onSubmit={(v, key) => run('Resolved', () => api.POST('/tickets/{id}/resolution', { params: { path }, idempotencyKey: key, body: { resolution: v['resolution'] ?? '' } }))}
        />
        <ActionForm
          title="Close"
          disabled={ticket.status !== 'resolved'}
          fields={[{ name: 'resolutionDetails', label: 'Resolution details for the customer (optional)', multiline: true }]}
          onSubmit={(v, key) =>
            run('Closed', () => api.POST('/tickets/{id}/closure', { params: { path }, idempotencyKey: key, body: v['resolutionDetails'] ? { resolutionDetails: v['resolutionDetails'] } : {} }))
          }
        />
      </div>
      <p aria-live="polite" className="ok">
        {message}
      </p>
      <ErrorNote message={error} />
    </Section>
  );
}

interface Field {
  readonly name: string;
  readonly label: string;
  readonly required?: boolean;
  readonly multiline?: boolean;
  readonly type?: 'number';
  readonly options?: readonly string[];
  readonly initial?: string;
}

/**
 * A staff action. Its idempotency key is kept while the form's values stay the same and the
 * command was not answered: sent again after a failure (a lost answer, the network away), the
 * same request is the same key, and the service runs it at most once.
 */
function ActionForm({ title, fields, disabled, onSubmit }: { title: string; fields: Field[]; disabled: boolean; onSubmit: (values: Record<string, string>, key: string) => Promise<boolean> }) {
  const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ''])));
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newKey);
  const set = (name: string, value: string): void => {
    setValues((v) => ({ ...v, [name]: value }));
    setKey(newKey()); // another request
  };
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    if (await onSubmit(values, key)) setKey(newKey());
    setBusy(false);
  };
  const input = (f: Field): ReactNode => {
    const id = `${slug}-${f.name}`;
    const common = { id, name: f.name, value: values[f.name] ?? '', required: f.required ?? false, disabled };
    if (f.options !== undefined)
      return (
        <select {...common} onChange={(e) => set(f.name, e.target.value)}>
          {f.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    if (f.multiline === true) return <textarea {...common} rows={2} onChange={(e) => set(f.name, e.target.value)} />;
    return <input {...common} type={f.type ?? 'text'} min={f.type === 'number' ? 1 : undefined} onChange={(e) => set(f.name, e.target.value)} />;
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={title} data-action={slug}>
      <h3>{title}</h3>
      {fields.map((f) => (
        <div key={f.name} className="field">
          <label htmlFor={`${slug}-${f.name}`}>{f.label}</label>
          {input(f)}
        </div>
      ))}
      <button type="submit" disabled={disabled || busy}>
        {title.split(':')[0]}
      </button>
    </form>
  );
}
