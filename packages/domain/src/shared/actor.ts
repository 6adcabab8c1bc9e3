import * as t from 'io-ts';
import { literalUnion, NonEmptyString } from './primitives';

/** Requesters hold a product license; their role is that license. */
export const REQUESTER_ROLES = ['administrator', 'publisher', 'teacher'] as const;
/** Support staff may classify, respond, resolve and close tickets. */
export const STAFF_ROLES = ['agent', 'admin'] as const;
/** Every role an actor may carry. `monitor` is a status monitor; `auditor` only reads. */
export const ROLES = ['administrator', 'publisher', 'teacher', 'agent', 'monitor', 'auditor', 'admin'] as const;

export const Role = literalUnion('Role', ROLES);
export type Role = t.TypeOf<typeof Role>;
export type RequesterRole = (typeof REQUESTER_ROLES)[number];
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * Narrows a role your identity system gives as a plain string. An actor built from an unchecked
 * `string` does not type-check as a command; narrow it here, or decode the whole command with
 * `decodeCommand` (which also reports an unknown role as a field error).
 */
export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Who issued a command (and therefore who caused the events). */
export const Actor = t.type({ id: NonEmptyString, role: Role }, 'Actor');
export type Actor = t.TypeOf<typeof Actor>;

export const isStaff = (actor: Actor): boolean => actor.role === 'agent' || actor.role === 'admin';
export const isRequester = (actor: Actor): boolean =>
  actor.role === 'administrator' || actor.role === 'publisher' || actor.role === 'teacher';
