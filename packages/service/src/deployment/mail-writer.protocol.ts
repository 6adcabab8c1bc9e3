import type { SlaPolicy, Ticket } from '@support-sla/domain';
import type { GlobalPosition } from '../event-store/event-store.port';
import type { MailBatch, MailBatchOutcome } from '../notifications/mail-batch';
import type { NotificationEffect } from '../notifications/decide-notifications';

/** What the mail writer thread is started with. */
export interface MailWriterData {
  /** The mail tables' SQLite file. */
  readonly database: string;
  /** The service's environment (the thread reads the notifications' settings from it: templates, sender, on-call). */
  readonly env: Readonly<Record<string, string>>;
}

/** Main thread → writer. */
export type ToMailWriter = { readonly type: 'write'; readonly id: number; readonly input: Uint8Array } | { readonly type: 'stop' };

/** Writer → main thread. */
export type FromMailWriter =
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'written'; readonly id: number; readonly outcome: MailBatchOutcome }
  | { readonly type: 'not-written'; readonly id: number; readonly error: string };

type Position = readonly [commit: string, prepare: string];
/** An effect as it crosses: its ticket and policy as indexes into the batch's tables. */
type Encoded = Omit<NotificationEffect, 'ticket' | 'policy'> & { readonly ticket?: unknown; readonly policy?: number };

interface EncodedBatch {
  readonly batch: readonly { readonly at: Position; readonly effects: readonly Encoded[] }[];
  readonly seen: Position | null;
  readonly now: number;
  readonly tickets: readonly Ticket[];
  readonly policies: readonly SlaPolicy[];
}

const position = (p: GlobalPosition): Position => [String(p.commit), String(p.prepare)];
const globalPosition = ([commit, prepare]: Position): GlobalPosition => ({ commit: BigInt(commit), prepare: BigInt(prepare) });

/**
 * A batch as UTF-8 JSON, for the writer thread (what it writes is what `writeMailBatch` writes of the batch): its buffer is moved across (`transferList`), not
 * copied. The structured clone of the effects walked every ticket and policy again on the main
 * thread, and even a posted string is copied at about 3 ns a byte (batches are tens of KB);
 * tickets and policies stand once each, by identity, as indexes.
 */
export function encodeMailBatch(input: MailBatch): Buffer {
  const tickets = new Map<Ticket, number>();
  const policies = new Map<SlaPolicy, number>();
  const indexIn = <T>(table: Map<T, number>, value: T): number => {
    let index = table.get(value);
    if (index === undefined) table.set(value, (index = table.size));
    return index;
  };
  // `writeMailBatch` keeps a ticket's last alert points of a batch only (the earlier ones, at lower
  // positions, cannot outlive it: the checkpoint skips them too): the others are not sent. On a
  // catch-up that spares the thread most of the tickets it would parse.
  const lastPoints = new Map<string, NotificationEffect>();
  for (const decided of input.batch) for (const effect of decided.effects) if (effect.kind === 'alert-points') lastPoints.set(effect.ticketId, effect);
  const sent = (effect: NotificationEffect): boolean => effect.kind !== 'alert-points' || lastPoints.get(effect.ticketId) === effect;
  const encoded: EncodedBatch = {
    batch: input.batch.map((decided) => ({
      at: position(decided.position),
      effects: decided.effects
        .filter(sent)
        .map((effect): Encoded => ('policy' in effect ? { ...effect, ticket: indexIn(tickets, effect.ticket), policy: indexIn(policies, effect.policy) } : effect)),
    })),
    seen: input.seen === undefined ? null : position(input.seen),
    now: input.now,
    tickets: [...tickets.keys()],
    policies: [...policies.keys()],
  };
  // From 4 KB up the buffer owns its memory and is moved; a smaller one may share Buffer's pool and is copied (`transferable`).
  return Buffer.from(JSON.stringify(encoded));
}

/** The buffer to transfer with a message, if `bytes` owns all of it (a small one may share Buffer's pool: it is copied). */
export const transferable = (bytes: Uint8Array): ArrayBuffer[] =>
  bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];

/** The batch {@link encodeMailBatch} wrote. */
export function decodeMailBatch(bytes: Uint8Array): MailBatch {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const { batch, seen, now, tickets, policies } = JSON.parse(text) as EncodedBatch;
  return {
    batch: batch.map(({ at, effects }) => ({
      position: globalPosition(at),
      effects: effects.map((effect) =>
        (effect.policy === undefined ? effect : { ...effect, ticket: tickets[effect.ticket as number], policy: policies[effect.policy] }) as NotificationEffect,
      ),
    })),
    seen: seen === null ? undefined : globalPosition(seen),
    now,
  };
}
