import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Monitor, MonitorStatus, OutageBoard, OutageCommandOf } from '@support-sla/domain';
import type { CommandContext, ExecutionResult } from '../../application/command-executor';
import { OutageApplication, type StaffOutageAction } from '../../application/outage.application';
import type { AuthenticatedUser } from '../../auth/token.service';

export class ReportMonitorStatusCommand extends Command<ExecutionResult<OutageBoard>> {
  constructor(
    readonly monitor: Monitor,
    readonly body: { status: MonitorStatus; observedAt: string },
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class RecordDebriefCommand extends Command<ExecutionResult<OutageBoard>> {
  constructor(
    readonly outageId: string,
    readonly body: { whenItOccurred: string; howItOccurred: string; preventionPlan: string },
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class CloseOutageCommand extends Command<ExecutionResult<OutageBoard>> {
  constructor(
    readonly outageId: string,
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Staff declare or end an outage, or acknowledge its alert. */
export class StaffOutageCommand<T extends StaffOutageAction = StaffOutageAction> extends Command<ExecutionResult<OutageBoard>> {
  constructor(
    readonly action: T,
    readonly data: OutageCommandOf<T>['data'],
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ReportMonitorStatusCommand)
export class ReportMonitorStatusHandler implements ICommandHandler<ReportMonitorStatusCommand> {
  constructor(private readonly outages: OutageApplication) {}
  execute(c: ReportMonitorStatusCommand): Promise<ExecutionResult<OutageBoard>> {
    return this.outages.report(c.monitor, c.body, c.caller, c.context);
  }
}

@CommandHandler(RecordDebriefCommand)
export class RecordDebriefHandler implements ICommandHandler<RecordDebriefCommand> {
  constructor(private readonly outages: OutageApplication) {}
  execute(c: RecordDebriefCommand): Promise<ExecutionResult<OutageBoard>> {
    return this.outages.debrief(c.outageId, c.body, c.caller, c.context);
  }
}

@CommandHandler(CloseOutageCommand)
export class CloseOutageHandler implements ICommandHandler<CloseOutageCommand> {
  constructor(private readonly outages: OutageApplication) {}
  execute(c: CloseOutageCommand): Promise<ExecutionResult<OutageBoard>> {
    return this.outages.close(c.outageId, c.caller, c.context);
  }
}

@CommandHandler(StaffOutageCommand)
export class StaffOutageHandler implements ICommandHandler<StaffOutageCommand> {
  constructor(private readonly outages: OutageApplication) {}
  execute(c: StaffOutageCommand): Promise<ExecutionResult<OutageBoard>> {
    return this.outages.staff(c.action, c.data, c.caller, c.context);
  }
}
