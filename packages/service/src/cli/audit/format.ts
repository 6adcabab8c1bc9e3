import Table from 'cli-table3';
import type { ClockReport, TicketSla } from '@support-sla/domain';
import type { AuditTimeline, TicketAsOf, TimelineClock } from '@support-sla/projections';
import type { VerifyResult } from './verify';

// No colours: the tables are read in terminals, pasted into audit reports and diffed.
const plain = { head: [] as string[], border: [] as string[] };

/** `1d 02h 05m` (days of 24 hours), `45m 10s`, `0s`; negative values get a minus sign. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const sign = ms < 0 ? '-' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3_600);
  s -= h * 3_600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d}d ${pad(h)}h ${pad(m)}m`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(s)}s`;
  return `${sign}${s}s`;
}

/** Instants as stored (UTC), minus a `.000` that carries no information. */
const instant = (iso: string | null): string => (iso === null ? '—' : iso.replace(/\.000Z$/, 'Z'));

const clockCell = (c: TimelineClock): string => {
  const lines: string[] = [c.status];
  if (c.stoppedAt !== null) lines.push(`stopped ${instant(c.stoppedAt)}`);
  else if (c.deadline !== null) lines.push(`due ${instant(c.deadline)}`);
  return lines.join('\n');
};

/** The audit timeline as a table: one row per event, with the SLA state right after it. */
export function historyTable(timeline: AuditTimeline): string {
  const table = new Table({
    head: ['Rev', 'Event', 'Occurred at', 'Recorded at', 'Actor', 'Status / queue', 'Confirmation', 'Response', 'Resolution'],
    style: plain,
  });
  for (const e of timeline.entries) {
    const late = e.recordedAfterMs >= 60_000 ? `\n(+${duration(e.recordedAfterMs)} later)` : '';
    table.push([
      String(e.revision),
      // An SLA alert raised or delivered says so in words.
      e.note === undefined ? e.type : `${e.type}\n${e.note}`,
      instant(e.occurredAt),
      instant(e.recordedAt) + late,
      `${e.actorId}\n(${e.actorRole})`,
      `${e.ticketStatus}\n${e.queue}`,
      clockCell(e.sla.confirmation),
      clockCell(e.sla.response),
      clockCell(e.sla.resolution),
    ]);
  }
  const title = `Ticket ${timeline.ticketNumber ?? '?'} (${timeline.ticketId}), policy version ${timeline.policyVersion ?? '?'}, ${timeline.entries.length} events`;
  return `${title}\n${table.toString()}\n`;
}

const clockRow = (name: string, c: ClockReport): string[] => [
  name,
  c.warningLevel === null || c.status === 'met' || c.status === 'breached' ? c.status : `${c.status} (${Math.round(c.warningLevel * 100)} %)`,
  c.calendar,
  instant(c.startedAt),
  instant(c.deadline),
  instant(c.stoppedAt),
  duration(c.businessTimeUsedMs),
  duration(c.businessTimeRemainingMs),
  duration(c.overdueMs),
  duration(c.pausedTimeMs),
];

/** The clocks of a ticket as one table. */
export function clocksTable(sla: TicketSla): string {
  const table = new Table({
    head: ['Clock', 'Status', 'Calendar', 'Started', 'Deadline', 'Stopped', 'Business time used', 'Remaining', 'Overdue', 'Waiting on customer'],
    style: plain,
  });
  table.push(clockRow('confirmation', sla.confirmation), clockRow('response', sla.response), clockRow('resolution', sla.resolution));
  return table.toString();
}

/** The as-of view: what the ticket looked like, and its clocks, at the instant. */
export function asOfText(view: TicketAsOf, ticketRef: string): string {
  const lines: string[] = [];
  const reading = view.reading === 'occurred' ? 'what had happened (occurredAt ≤ instant)' : 'what the system had recorded (recordedAt ≤ instant)';
  if (view.state === null || view.sla === null) {
    lines.push(`Ticket ${ticketRef} (${view.ticketId}) did not exist yet as of ${instant(view.asOf)}, reading ${reading}.`);
  } else {
    const t = view.state;
    lines.push(`Ticket ${t.ticketNumber} (${t.ticketId}) as of ${instant(view.asOf)}`);
    lines.push(`Reading: ${reading}`);
    lines.push(`Events applied: ${view.eventsApplied} (last revision ${view.lastRevision ?? '—'})`);
    lines.push(`Policy version: ${view.sla.policyVersion}`);
    lines.push(`Status: ${t.status} · queue ${t.queue} · tier ${t.tier} · channel ${t.channel} · category ${t.category ?? 'unclassified'}`);
    if (t.awaitingCustomerSinceMs !== null) lines.push(`Awaiting the customer since ${instant(new Date(t.awaitingCustomerSinceMs).toISOString())}`);
    lines.push(clocksTable(view.sla));
  }
  if (view.lateEntries.length > 0) {
    lines.push('Happened by then but recorded later:');
    for (const e of view.lateEntries) lines.push(`  revision ${e.revision} ${e.type}: occurred ${instant(e.occurredAt)}, recorded ${instant(e.recordedAt)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The verification summary; the first problem comes first. */
export function verifyText(result: VerifyResult, source: string): string {
  const lines: string[] = [];
  if (result.intact) {
    lines.push(`Log intact: ${result.events} events in ${result.streams} streams (${source}).`);
    lines.push('Every revision sequence is complete and in order, every hash matches its event and chains to the one before.');
  } else {
    const f = result.first!;
    lines.push(`Log NOT intact (${source}): ${result.findings.length} problem${result.findings.length === 1 ? '' : 's'} in ${result.events} events, ${result.streams} streams.`);
    lines.push(`First problem: ${describe(f)}`);
    if (result.findings.length > 1) {
      lines.push(`All problems (the first of each stream${result.seal === undefined ? '' : ', then what the seal shows'}):`);
      for (const other of result.findings) lines.push(`  ${describe(other)}`);
    }
  }
  const seal = result.seal;
  if (seal !== undefined) {
    if (seal.sequence < 0) {
      lines.push('No seal in the seal files can be trusted: nothing is proven by them.');
    } else {
      const by = `key ${seal.keyIds.join(', ')}${seal.keysPinned ? ', as given' : ' (pin it with --seal-public-key)'}`;
      const checked = `${seal.sealsChecked} seal${seal.sealsChecked === 1 ? '' : 's'} checked${seal.chainComplete ? ', the whole chain from the first' : ''}`;
      lines.push(`Seal #${seal.sequence} of ${seal.sealedAt}, signed by ${by}; ${checked}.`);
      lines.push(
        seal.proven
          ? `Up to global position ${seal.headPosition ?? '0'} the log is as sealed: nothing was removed or rewritten (${seal.eventsAtHead} events in ${seal.streamsAtHead} streams, digest ${seal.digest}).`
          : `Up to global position ${seal.headPosition ?? '0'} the log is NOT as sealed (see the problems above).`,
      );
    }
  }
  lines.push(`Digest of stream heads: ${result.digest}`);
  return `${lines.join('\n')}\n`;
}

const NOUNS: Record<VerifyResult['findings'][number]['kind'], string> = {
  altered: 'altered event',
  missing: 'missing event',
  reordered: 'reordered event',
  rewritten: 'rewritten event',
  truncated: 'log truncated before the event',
  unsealed: 'unsealed event',
  seal: 'untrusted seal',
};

const describe = (f: VerifyResult['findings'][number]): string =>
  f.streamId === null
    ? `${NOUNS[f.kind]} at global position ${f.position}: ${f.detail}`
    : `${NOUNS[f.kind]} in stream ${f.streamId} at revision ${f.revision} (global position ${f.position}): ${f.detail}`;
