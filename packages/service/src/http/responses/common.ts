import * as t from 'io-ts';
import { IsoInstant } from '@support-sla/domain';
import { PositionText, Revision } from '../../seals/seal';
import { described } from '../io-ts-openapi';

/** `X | null`. */
export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/** A whole number of milliseconds. */
export const Millis = t.number;

/** `readModelPosition` of read-model answers. */
export const freshness = {
  readModelPosition: described(
    nullable(PositionText),
    'How far the read models had caught up (`commit/prepare`) when this was answered: pass a command\'s `position` as `minPosition` to read your writes; `null` before the first event',
  ),
};

/** What every command answers about what it wrote. */
export const written = {
  revision: described(nullable(Revision), "The stream's revision after the command (`null` when it appended nothing)"),
  position: described(
    nullable(PositionText),
    'The global position of the last event written (`null` when nothing was appended): pass it as `minPosition` to the read-model queries to read your writes',
  ),
};

export const Instant = IsoInstant;
