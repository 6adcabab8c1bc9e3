import * as t from 'io-ts';
import { Actor } from './actor';
import { IsoInstant } from './primitives';

/** Current schema version of every event this package writes. */
export const CURRENT_SCHEMA_VERSION = 1 as const;

/** `{ type, schemaVersion: 1, data }`: the envelope every event shares. */
export const eventCodec = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  t.type({ type: t.literal(type), schemaVersion: t.literal(CURRENT_SCHEMA_VERSION), data }, type);

/** `{ type, now, actor, data }`: every command says when it was issued and by whom. */
export const commandCodec = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  t.type({ type: t.literal(type), now: IsoInstant, actor: Actor, data }, type);

/** Required and optional properties in one codec; optional ones may be absent. */
export const withOptional = <R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) =>
  t.intersection([t.type(required), t.partial(optional)], name);
