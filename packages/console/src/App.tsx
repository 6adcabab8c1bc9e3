import { useState, type FormEvent } from 'react';
import { IdentityContext } from './common';
import { useRoute } from './hooks';
import { CompliancePage } from './pages/Compliance';
import { OutagesPage } from './pages/Outages';
import { QueuePage } from './pages/Queue';
import { TicketPage } from './pages/Ticket';
import { canRead, identityOf, isStaff, storedToken, storeToken, type Identity } from './session';

const initial = (): Identity | undefined => {
  const token = storedToken();
  return token === undefined ? undefined : identityOf(token);
};

export function App() {
  const [identity, setIdentity] = useState<Identity | undefined>(initial);
  const { path, query } = useRoute();
  const signOut = (): void => {
    storeToken(undefined);
    setIdentity(undefined);
  };
  const role = identity?.role;
  const page = path[0] ?? (canRead(role) ? 'queue' : '');
  const seesOutages = canRead(role) || role === 'monitor';

  let content;
  if (identity === undefined) content = <SignIn onSignedIn={setIdentity} />;
  else if (page === 'queue') content = <QueuePage tier={query.get('tier')} page={query.get('page')} />;
  else if (page === 'tickets' && path[1] !== undefined) content = <TicketPage id={path[1]} query={query} />;
  else if (page === 'compliance') content = <CompliancePage query={query} />;
  else if (page === 'outages') content = <OutagesPage />;
  else content = <TicketLookup />;

  return (
    <IdentityContext.Provider value={identity}>
      <header className="top">
        <a className="brand" href="#/">
          support-sla console
        </a>
        <nav aria-label="Pages">
          <ul>
            {canRead(role) ? (
              <li>
                <a href="#/queue" aria-current={page === 'queue' ? 'page' : undefined}>
                  Queue
                </a>
              </li>
            ) : null}
            {identity !== undefined && role !== 'monitor' ? (
              <li>
                <a href="#/tickets" aria-current={page === 'tickets' ? 'page' : undefined}>
                  Tickets
                </a>
              </li>
            ) : null}
            {canRead(role) ? (
              <li>
                <a href="#/compliance" aria-current={page === 'compliance' ? 'page' : undefined}>
                  Compliance
                </a>
              </li>
            ) : null}
            {seesOutages ? (
              <li>
                <a href="#/outages" aria-current={page === 'outages' ? 'page' : undefined}>
                  Outages
                </a>
              </li>
            ) : null}
            <li>
              <a href="/status">Public status</a>
            </li>
          </ul>
        </nav>
        {identity !== undefined ? (
          <div className="who">
            <span data-role={identity.role}>
              {identity.name ?? identity.user} ({identity.role}
              {isStaff(role) ? ', staff' : ''})
            </span>{' '}
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main">{content}</main>
    </IdentityContext.Provider>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (identity: Identity) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const trimmed = token.trim();
    const identity = identityOf(trimmed);
    if (identity === undefined) {
      setError('This is not a support-sla token (a JWT of three dot-separated parts naming a role and a user).');
      return;
    }
    if (identity.expiresAt !== undefined && identity.expiresAt * 1000 < Date.now()) {
      setError('This token has expired: get a new one.');
      return;
    }
    storeToken(trimmed);
    onSignedIn(identity);
  };
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <p>
        Paste a token the service signed (for example from <code>npx support-sla token --role agent --user u1 --org support</code>). It is kept for this browser tab only
        and sent to this service alone.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">Token</label>
        <textarea id="token" name="token" rows={4} value={token} onChange={(e) => setToken(e.target.value)} spellCheck={false} autoComplete="off" required />
        {error !== undefined ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}

function TicketLookup() {
  const [id, setId] = useState('');
  return (
    <section className="card narrow">
      <h1>Open a ticket’s page</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim() !== '') window.location.hash = `#/tickets/${encodeURIComponent(id.trim())}`;
        }}
      >
        <label htmlFor="ticket-id">Ticket id (T-…)</label>
        <input id="ticket-id" value={id} onChange={(e) => setId(e.target.value)} />
        <button type="submit">Open</button>
      </form>
    </section>
  );
}
