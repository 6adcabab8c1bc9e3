import type { PublicStatus } from './status.query';

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const NAMES: Record<string, string> = { chicago: 'Chicago', california: 'California', atlanta: 'Atlanta' };

/** An instant as UTC text a reader can take in, inside a machine-readable `<time>`. */
const when = (instant: string | null, none: string): string =>
  instant === null ? escape(none) : `<time datetime="${escape(instant)}">${escape(instant.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC'))}</time>`;

/**
 * The public status page, rendered on the server from the cached {@link PublicStatus}: no script,
 * one stylesheet (no automatic refresh: a timed refresh fails WCAG 2.2.1). Times are shown in UTC (the page runs no
 * script to convert them); the console shows them in the viewer's zone.
 */
export const renderStatusPage = (status: PublicStatus): string => {
  const rows = status.monitors
    .map(
      (m) =>
        `<tr data-monitor="${escape(m.monitor)}"><th scope="row">${escape(NAMES[m.monitor] ?? m.monitor)}</th>` +
        `<td class="state state-${m.status ?? 'none'}">${m.status === null ? 'no report yet' : m.status === 'up' ? 'Up' : 'Down'}</td>` +
        `<td>${when(m.reportedAt, '—')}</td></tr>`,
    )
    .join('\n');
  const outage = status.outage.declared
    ? `<p class="banner banner-down" data-outage="declared">An outage is declared since ${when(status.outage.since, 'an unknown time')}${
        status.outage.source === 'monitors' ? ' (all three status monitors see the service down)' : ' (declared by support staff)'
      }. Engineers have been alerted.</p>`
    : `<p class="banner banner-up" data-outage="none">No outage is declared: SchoolStatus servers are up.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SchoolStatus service status</title>
<link rel="stylesheet" href="/status/style.css">
</head>
<body>
<main>
<h1>SchoolStatus service status</h1>
${outage}
<h2>Status monitors</h2>
<table>
<caption>What each of the three status monitors last reported</caption>
<thead><tr><th scope="col">Monitor</th><th scope="col">State</th><th scope="col">Reported at</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>Last restoration of service: <span data-last-restoration>${when(status.lastRestoration, 'none recorded')}</span>.</p>
<p class="small">Checked ${when(status.checkedAt, '')}. <a href="/status">Reload</a> for the latest, or read it as JSON with <code>Accept: application/json</code>.</p>
</main>
</body>
</html>
`;
};

export const STATUS_STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:46rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem}
table{border-collapse:collapse;width:100%;background:#fff}
caption{text-align:left;padding:.25rem 0;color:#444}
th,td{border:1px solid #c9ced6;padding:.5rem;text-align:left}
.banner{padding:1rem;border-radius:4px;font-weight:600}
.banner-up{background:#e3f4e8;color:#0b5323}
.banner-down{background:#fde8e8;color:#8a1010}
.state-up{color:#0b5323;font-weight:600}
.state-down{color:#8a1010;font-weight:600}
.small{font-size:.875rem;color:#444}
a{color:#0645ad}
`;
