import type { EventStore, GlobalPosition, StoredEvent } from '../../../event-store/event-store.port';
import type { AuditRecord, AuditSource } from './audit-source';

const DEFAULT_PAGE = 1_000;

type ReadOnlyPort = Pick<EventStore, 'readAll' | 'readStream' | 'headPosition' | 'close'>;

/**
 * An audit source over the read half of the service's event-store port (used for EventStoreDB).
 * Only `readAll`, `readStream` and `headPosition` are ever called: nothing here can append.
 */
export class EventStoreAuditSource implements AuditSource {
  readonly densePositions = false;

  constructor(
    private readonly store: ReadOnlyPort,
    readonly description: string,
    private readonly pageSize: number = DEFAULT_PAGE,
  ) {}

  async *readAll(): AsyncIterable<AuditRecord> {
    for await (const event of this.events()) yield recordOf(event);
  }

  async readStream(streamId: string): Promise<readonly AuditRecord[]> {
    return (await this.store.readStream(streamId)).map(recordOf);
  }

  async progressScale(): Promise<{ total: number; unitsAt: (position: GlobalPosition) => number }> {
    // EventStoreDB positions are log offsets, not counts: progress is the share of the log read.
    const head = await this.store.headPosition();
    return { total: head === undefined ? 0 : Number(head.commit), unitsAt: (p) => Number(p.commit) };
  }

  async findTicketIdByNumber(ticketNumber: string): Promise<string | undefined> {
    const wanted = ticketNumber.toUpperCase();
    for await (const event of this.events(['ticket-'])) {
      if (event.type !== 'TicketOpened') continue;
      const data = event.data as { ticketId?: unknown; ticketNumber?: unknown } | null;
      if (typeof data?.ticketNumber === 'string' && data.ticketNumber.toUpperCase() === wanted && typeof data.ticketId === 'string') return data.ticketId;
    }
    return undefined;
  }

  async missingTail(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** The log (or only the streams with these prefixes) in global order, read page by page. */
  private async *events(streamPrefixes?: readonly string[]): AsyncIterable<StoredEvent> {
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await this.store.readAll({ maxCount: this.pageSize, ...(after === undefined ? {} : { after }), ...(streamPrefixes === undefined ? {} : { streamPrefixes }) });
      yield* page;
      const last = page[page.length - 1];
      if (last === undefined || page.length < this.pageSize) return;
      after = last.position;
    }
  }
}

const recordOf = (event: StoredEvent): AuditRecord => ({ streamId: event.streamId, revision: event.revision, position: event.position, event });
