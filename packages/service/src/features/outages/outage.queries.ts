import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MONITORS, monitorStatusAt } from '@support-sla/domain';
import { OutageApplication } from '../../application/outage.application';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface OutageListing {
  readonly monitors: Record<string, string>;
  readonly outages: readonly {
    readonly outageId: string;
    readonly declaredAt: string | null;
    readonly endedAt: string | null;
    readonly debriefed: boolean;
    readonly closed: boolean;
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
  constructor(private readonly outages: OutageApplication) {}

  async execute(q: ListOutagesQuery): Promise<OutageListing> {
    const board = await this.outages.board();
    const status = monitorStatusAt(board, Date.parse(q.asOf));
    return {
      monitors: Object.fromEntries(MONITORS.map((m) => [m, status[m]])),
      outages: board.outages.map((o) => ({
        outageId: o.outageId,
        declaredAt: iso(o.declaredAtMs),
        endedAt: iso(o.endedAtMs),
        debriefed: o.debrief !== null,
        closed: o.closed,
      })),
    };
  }
}
