import {
  outageDecider,
  type Monitor,
  type MonitorStatus,
  type OutageBoard,
  type OutageCommand,
  type OutageCommandOf,
} from '@support-sla/domain';
import type { CommandContext, CommandExecutor, ExecutionResult } from './command-executor';
import type { AuthenticatedUser } from '../auth/token.service';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';

/** Outage commands staff send besides debriefs and closing. */
export type StaffOutageAction = 'DeclareOutage' | 'EndOutage' | 'AcknowledgeOutageAlert';

/** Monitor reports, debriefs and closing outages: all decided against the one outage board. */
export class OutageApplication {
  constructor(private readonly executor: CommandExecutor) {}

  async board(): Promise<OutageBoard> {
    return (await this.executor.load(outageDecider, OUTAGE_BOARD_STREAM)).state;
  }

  report(
    monitor: Monitor,
    body: { status: MonitorStatus; observedAt: string },
    caller: AuthenticatedUser,
    context: CommandContext,
  ): Promise<ExecutionResult<OutageBoard>> {
    return this.run((now) => ({ type: 'ReportMonitorStatus', now, actor: { id: caller.id, role: caller.role }, data: { monitor, ...body } }), context);
  }

  debrief(
    outageId: string,
    body: { whenItOccurred: string; howItOccurred: string; preventionPlan: string },
    caller: AuthenticatedUser,
    context: CommandContext,
  ): Promise<ExecutionResult<OutageBoard>> {
    return this.run((now) => ({ type: 'RecordOutageDebrief', now, actor: { id: caller.id, role: caller.role }, data: { outageId, ...body } }), context);
  }

  /** Staff declare an outage, end the one they declared, or acknowledge an outage's alert. */
  staff<T extends StaffOutageAction>(type: T, data: OutageCommandOf<T>['data'], caller: AuthenticatedUser, context: CommandContext): Promise<ExecutionResult<OutageBoard>> {
    return this.run((now) => ({ type, now, actor: { id: caller.id, role: caller.role }, data }) as OutageCommandOf<T>, context);
  }

  close(outageId: string, caller: AuthenticatedUser, context: CommandContext): Promise<ExecutionResult<OutageBoard>> {
    return this.run((now) => ({ type: 'CloseOutage', now, actor: { id: caller.id, role: caller.role }, data: { outageId } }), context);
  }

  // Built afresh on every attempt, so a report that lost a race is dated after the winner.
  private run(build: (now: string) => OutageCommand, context: CommandContext): Promise<ExecutionResult<OutageBoard>> {
    return this.executor.execute(outageDecider, OUTAGE_BOARD_STREAM, (_board: OutageBoard, now: string) => build(now), context);
  }
}
