import type { GlobalPosition, StoredEvent } from '../../../event-store/event-store.port';

/**
 * One stored event as the auditor reads it. `event` is the event as the store returns it, or
 * `undefined` when its stored bytes no longer parse (then `problem` says why): an audit must
 * be able to name a damaged event, not crash on it.
 */
export interface AuditRecord {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly event: StoredEvent | undefined;
  readonly problem?: string;
}

/** A gap in the store's own global sequence (only stores whose positions are dense can tell). */
export interface MissingPositions {
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * What the audit commands read: the log and single streams, never anything that writes.
 * Implemented over a SQLite file opened read-only and over the EventStoreDB adapter.
 */
export interface AuditSource {
  /** Human description of where the events come from (for messages). */
  readonly description: string;
  /**
   * True when the store numbers its global positions without gaps (SQLite's AUTOINCREMENT
   * key), so a hole in the sequence proves an event was deleted.
   */
  readonly densePositions: boolean;
  /** The whole log in global order, read page by page. */
  readAll(): AsyncIterable<AuditRecord>;
  /** One stream in revision order; an unknown stream reads as empty. */
  readStream(streamId: string): Promise<readonly AuditRecord[]>;
  /** Progress scale: `total` units, and how many units an event at `position` has covered. */
  progressScale(): Promise<{ readonly total: number; readonly unitsAt: (position: GlobalPosition) => number }>;
  /** The id of the ticket with this number (e.g. `SS-000042`), if one was opened. */
  findTicketIdByNumber(ticketNumber: string): Promise<string | undefined>;
  /** Positions the store allocated but no longer holds at the end of the log (dense stores only). */
  missingTail(): Promise<MissingPositions | undefined>;
  close(): Promise<void>;
}
