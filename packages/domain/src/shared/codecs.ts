import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { OUTAGE_COMMAND_CODECS } from '../outage/outage.commands';
import { OUTAGE_EVENT_CODECS, type OutageEvent } from '../outage/outage.events';
import { POLICY_COMMAND_CODECS, type PolicyCommand } from '../policy/policy.commands';
import { POLICY_EVENT_CODECS, type PolicyEvent } from '../policy/policy.events';
import { TICKET_COMMAND_CODECS, type TicketCommand } from '../ticket/ticket.commands';
import { TICKET_EVENT_CODECS, type TicketEvent } from '../ticket/ticket.events';
import type { OutageCommand } from '../outage/outage.commands';
import { decodeFailure, decodeWith, type DecodeFailure } from './decode';
import { CURRENT_SCHEMA_VERSION } from './message';

/** Every event this package defines. */
export type DomainEvent = TicketEvent | OutageEvent | PolicyEvent;
/** Every command this package defines. */
export type DomainCommand = TicketCommand | OutageCommand | PolicyCommand;

export const EVENT_CODECS = { ...TICKET_EVENT_CODECS, ...OUTAGE_EVENT_CODECS, ...POLICY_EVENT_CODECS } as const;
export const COMMAND_CODECS = { ...TICKET_COMMAND_CODECS, ...OUTAGE_COMMAND_CODECS, ...POLICY_COMMAND_CODECS } as const;

export type EventType = keyof typeof EVENT_CODECS;
export type CommandType = keyof typeof COMMAND_CODECS;
export const EVENT_TYPES = Object.keys(EVENT_CODECS) as EventType[];
export const COMMAND_TYPES = Object.keys(COMMAND_CODECS) as CommandType[];

/** Rewrites the `data` of one event type from `schemaVersion` n to n + 1. */
export type Upcaster = (data: unknown) => unknown;
/** `upcasters[type][n]` lifts that event type from version n to n + 1. */
export type Upcasters = Readonly<Partial<Record<string, Readonly<Record<number, Upcaster>>>>>;

/**
 * Upcasters of the events in production. Only schema version 1 exists so far; when an event's
 * shape changes, bump {@link CURRENT_SCHEMA_VERSION} and register `{ [type]: { 1: v1ToV2 } }`.
 */
export const EVENT_UPCASTERS: Upcasters = {};

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

const issue = (path: string, expected: string, message: string): DecodeFailure =>
  decodeFailure([{ path, expected, message: `${path}: ${message}` }]);

/**
 * Brings a stored event to the current schema version, one step at a time. Events without a
 * `schemaVersion` are treated as version 1 (the first published shape).
 */
export const upcastEvent = (
  raw: unknown,
  upcasters: Upcasters = EVENT_UPCASTERS,
  currentVersion: number = CURRENT_SCHEMA_VERSION,
): E.Either<DecodeFailure, unknown> => {
  if (!isRecord(raw)) return E.left(issue('', 'Event', 'expected an event object'));
  const type = raw['type'];
  if (typeof type !== 'string') return E.left(issue('type', 'string', 'expected an event type'));
  let version = raw['schemaVersion'] === undefined ? 1 : raw['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return E.left(issue('schemaVersion', 'PositiveInt', `expected a schema version, got ${JSON.stringify(version)}`));
  }
  if (version > currentVersion) {
    return E.left(issue('schemaVersion', `<= ${currentVersion}`, `version ${version} is newer than this library (${currentVersion})`));
  }
  let data: unknown = raw['data'];
  while (version < currentVersion) {
    const step = upcasters[type]?.[version];
    if (step === undefined) {
      return E.left(issue('schemaVersion', `${currentVersion}`, `no upcaster for ${type} from version ${version}`));
    }
    data = step(data);
    version += 1;
  }
  return E.right({ ...raw, schemaVersion: version, data });
};

const unknownType = (kind: 'event' | 'command', known: readonly string[], got: unknown): DecodeFailure =>
  issue('type', known.join(' | '), `unknown ${kind} type ${JSON.stringify(got)}`);

const typeOf = (u: unknown): unknown => (isRecord(u) ? u['type'] : undefined);

const decoders = new Map<string, (u: unknown) => E.Either<DecodeFailure, unknown>>();
const decoderFor = (type: string, codec: t.Decoder<unknown, unknown>) => {
  let decoder = decoders.get(type);
  if (decoder === undefined) {
    decoder = decodeWith(codec);
    decoders.set(type, decoder);
  }
  return decoder;
};

/** Builds an event decoder with its own upcasters (and current version), e.g. for tests. */
export const makeEventDecoder =
  (upcasters: Upcasters = EVENT_UPCASTERS, currentVersion: number = CURRENT_SCHEMA_VERSION) =>
  (u: unknown): E.Either<DecodeFailure, DomainEvent> => {
    const type = typeOf(u);
    if (typeof type !== 'string' || !Object.hasOwn(EVENT_CODECS, type)) return E.left(unknownType('event', EVENT_TYPES, type));
    const codec = EVENT_CODECS[type as EventType] as t.Decoder<unknown, unknown>;
    return E.flatMap(upcastEvent(u, upcasters, currentVersion), (lifted) => decoderFor(`event:${type}`, codec)(lifted)) as E.Either<
      DecodeFailure,
      DomainEvent
    >;
  };

/**
 * Decodes (and upcasts) a stored or received event. The failure lists each offending field
 * path with the expected type, e.g. `{ path: 'data.namedUser.email', expected: 'Email' }`.
 */
export const decodeEvent: (u: unknown) => E.Either<DecodeFailure, DomainEvent> = makeEventDecoder();

/** Decodes a command; commands are never stored, so they have no schema version. */
export const decodeCommand = (u: unknown): E.Either<DecodeFailure, DomainCommand> => {
  const type = typeOf(u);
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_CODECS, type)) return E.left(unknownType('command', COMMAND_TYPES, type));
  const codec = COMMAND_CODECS[type as CommandType] as t.Decoder<unknown, unknown>;
  return decoderFor(`command:${type}`, codec)(u) as E.Either<DecodeFailure, DomainCommand>;
};

/** Plain JSON form of an event (what a store writes). The codecs' encoders are identities. */
export const encodeEvent = (event: DomainEvent): unknown => EVENT_CODECS[event.type].encode(event as never);
/** Plain JSON form of a command. */
export const encodeCommand = (command: DomainCommand): unknown => COMMAND_CODECS[command.type].encode(command as never);

/** Narrows a decoded command to the ticket aggregate's commands. */
export const isTicketCommand = (c: DomainCommand): c is TicketCommand => Object.hasOwn(TICKET_COMMAND_CODECS, c.type);
/** Narrows a decoded command to the outage board's commands. */
export const isOutageCommand = (c: DomainCommand): c is OutageCommand => Object.hasOwn(OUTAGE_COMMAND_CODECS, c.type);
/** Narrows a decoded command to the policy aggregate's commands. */
export const isPolicyCommand = (c: DomainCommand): c is PolicyCommand => Object.hasOwn(POLICY_COMMAND_CODECS, c.type);
/** Narrows a decoded event to the ticket aggregate's events. */
export const isTicketEvent = (e: DomainEvent): e is TicketEvent => Object.hasOwn(TICKET_EVENT_CODECS, e.type);
/** Narrows a decoded event to the outage board's events. */
export const isOutageEvent = (e: DomainEvent): e is OutageEvent => Object.hasOwn(OUTAGE_EVENT_CODECS, e.type);
/** Narrows a decoded event to the policy aggregate's events. */
export const isPolicyEvent = (e: DomainEvent): e is PolicyEvent => Object.hasOwn(POLICY_EVENT_CODECS, e.type);
