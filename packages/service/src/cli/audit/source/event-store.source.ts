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
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await this.store.readAll(after === undefined ? { maxCount: this.pageSize } : { after, maxCount: this.pageSize });
      for (const event of page) yield recordOf(event);
      const last = page[page.length - 1];
      if (last === undefined || page.length < this.pageSize) return;
      after = last.position;
    }
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
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await this.store.readAll({ streamPrefixes: ['ticket-'], maxCount: this.pageSize, ...(after === undefined ? {} : { after }) });
      for (const event of page) {
        if (event.type !== 'TicketOpened') continue;
        const data = event.data as { ticketId?: unknown; ticketNumber?: unknown } | null;
        if (typeof data?.ticketNumber === 'string' && data.ticketNumber.toUpperCase() === wanted && typeof data.ticketId === 'string') {
          return data.ticketId;
        }
      }
      const last = page[page.length - 1];
      if (last === undefined || page.length < this.pageSize) return undefined;
      after = last.position;
    }
  }

  async missingTail(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

const recordOf = (event: StoredEvent): AuditRecord => ({ streamId: event.streamId, revision: event.revision, position: event.position, event });
