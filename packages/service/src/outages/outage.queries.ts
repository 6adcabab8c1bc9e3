import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MONITORS, monitorStatusAt, outageDecider } from '@support-sla/domain';
import { CommandExecutor } from '../application/command-executor';
import { ReadModelsHost } from '../application/read-models.host';
import { iso } from '../application/views';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';

export interface OutageListing {
  readonly monitors: Record<string, string>;
  readonly outages: readonly {
    readonly outageId: string;
    readonly declaredAt: string | null;
    readonly endedAt: string | null;
    readonly debriefed: boolean;
    readonly closed: boolean;
    /** Ticket numbers linked to it, as far as the read models have folded. */
    readonly linkedTickets: readonly string[];
  }[];
}

export class ListOutagesQuery extends Query<OutageListing> {
  constructor(readonly asOf: string) {
    super();
  }
}

/** `GET /outages`: read from the outage board stream itself (one small stream). */
@QueryHandler(ListOutagesQuery)
export class ListOutagesHandler implements IQueryHandler<ListOutagesQuery> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModelsHost,
  ) {}

  async execute(q: ListOutagesQuery): Promise<OutageListing> {
    const { state: board } = await this.executor.load(outageDecider, OUTAGE_BOARD_STREAM);
    const status = monitorStatusAt(board, Date.parse(q.asOf));
    return {
      monitors: Object.fromEntries(MONITORS.map((m) => [m, status[m]])),
      outages: board.outages.map((o) => ({
        outageId: o.outageId,
        declaredAt: iso(o.declaredAtMs),
        endedAt: iso(o.endedAtMs),
        debriefed: o.debrief !== null,
        closed: o.closed,
        linkedTickets: [...(this.readModels.current().outageLinks.get(o.outageId) ?? [])],
      })),
    };
  }
}
