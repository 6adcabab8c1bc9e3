import type { Actor } from '../shared/actor';
import type { Category, Channel, License } from '../shared/agreement';
import { defaultPolicy } from '../policy/policy.default';
import type { SlaPolicy } from '../policy/policy.schema';
import type { TicketCommandOf } from '../ticket/ticket.commands';
import type { NamedUser, RequestDetails } from '../ticket/ticket.events';

/** Actors for examples and tests. */
export const actors = {
  agent: { id: 'agent-1', role: 'agent' },
  admin: { id: 'admin-1', role: 'admin' },
  monitor: { id: 'monitor-chicago', role: 'monitor' },
  auditor: { id: 'auditor-1', role: 'auditor' },
  administrator: { id: 'user-ada', role: 'administrator' },
  publisher: { id: 'user-pat', role: 'publisher' },
  teacher: { id: 'user-tess', role: 'teacher' },
} as const satisfies Record<string, Actor>;

const emails: Record<License, string> = {
  administrator: 'ada@district.example.org',
  publisher: 'pat@district.example.org',
  teacher: 'tess@district.example.org',
};

/** The named user behind a requester actor. */
export const namedUserFor = (license: License): NamedUser => ({ id: actors[license].id, email: emails[license], license });

export interface OpenTicketOptions {
  readonly ticketId?: string;
  readonly ticketNumber?: string;
  readonly now?: string;
  readonly receivedAt?: string;
  readonly license?: License;
  readonly channel?: Channel;
  readonly actor?: Actor;
  readonly request?: RequestDetails;
  readonly suggestedCategory?: Category;
  readonly policy?: SlaPolicy;
}

/** An OpenTicket command with sensible defaults (Premium requester by e-mail, default policy). */
export const openTicketCommand = (options: OpenTicketOptions = {}): TicketCommandOf<'OpenTicket'> => {
  const license = options.license ?? 'administrator';
  return {
    type: 'OpenTicket',
    now: options.now ?? '2026-03-10T14:00:00Z',
    actor: options.actor ?? actors[license],
    data: {
      ticketId: options.ticketId ?? 'ticket-1',
      ticketNumber: options.ticketNumber ?? 'SS-000001',
      channel: options.channel ?? 'email',
      namedUser: namedUserFor(license),
      request: options.request ?? { summary: 'Gradebook export fails', description: 'Export to CSV returns an empty file.' },
      policy: options.policy ?? defaultPolicy,
      ...(options.receivedAt !== undefined ? { receivedAt: options.receivedAt } : {}),
      ...(options.suggestedCategory !== undefined ? { suggestedCategory: options.suggestedCategory } : {}),
    },
  };
};
