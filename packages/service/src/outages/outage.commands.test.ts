import { createHash } from 'node:crypto';
import { RedecideBudgetExceededError, CommandExecutor, type CommandContext, type Sealer } from '../application/command-executor';
import type { AuthenticatedUser } from '../auth/token.service';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { WrongExpectedRevisionError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from '../event-store/event-store.port';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';
import { classifyError } from '../platform/http-errors';
import { OutageBoardCommand, OutageBoardHandler, REDECIDABLE_OUTAGE_COMMANDS, type OutageAction } from './outage.commands';

const seal: Sealer = (streamId, firstRevision, previousHash, events) => {
  let prev = previousHash;
  return events.map((e, i): NewEvent => {
    const hash = createHash('sha256').update(`${streamId}/${firstRevision + BigInt(i)}/${prev}/${JSON.stringify(e.data)}`).digest('hex');
    const sealed: NewEvent = { ...e, metadata: { ...e.metadata, previousHash: prev, hash } };
    prev = hash;
    return sealed;
  });
};

/** An append loses to another writer (another replica, say) when `lose` says so for its number. */
const losing = (inner: InMemoryEventStore, lose: (append: number) => boolean): { store: EventStore; lost: () => number } => {
  let appends = 0;
  let lost = 0;
  const store: EventStore = Object.assign(Object.create(inner) as EventStore, {
    appendToStream: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
      appends++;
      if (lose(appends)) {
        lost++;
        throw new WrongExpectedRevisionError(streamId, expected === 'no-stream' ? -1n : (expected as bigint), 999n);
      }
      return inner.appendToStream(streamId, events, expected);
    },
    readStream: inner.readStream.bind(inner),
  });
  return { store, lost: () => lost };
};

const admin: AuthenticatedUser = { id: 'u-admin', role: 'admin', org: 'support' };
const context: CommandContext = { actorId: admin.id, actorRole: admin.role, correlationId: 'c', causationId: 'c' };
const clock = () => new Date('2026-03-15T07:10:00Z');

describe('outage-board commands are re-decided on a conflict instead of answering 409 (issue 21)', () => {
  test('every outage command a person sends is in the re-decidable set', () => {
    const actions: OutageAction[] = ['ReportMonitorStatus', 'DeclareOutage', 'EndOutage', 'AcknowledgeOutageAlert', 'RecordOutageDebrief', 'CloseOutage'];
    expect(actions.filter((a) => !REDECIDABLE_OUTAGE_COMMANDS.has(a))).toEqual([]);
  });

  test('a whole outage, each command losing its first race, lands with one attempt allowed', async () => {
    const inner = new InMemoryEventStore();
    // Odd appends lose: each command's first attempt, then its second lands.
    const { store, lost } = losing(inner, (n) => n % 2 === 1);
    const handler = new OutageBoardHandler(new CommandExecutor(store, { clock, seal, maxAttempts: 1, redecideDelayMs: () => 0 }));
    const run = <T extends OutageAction>(action: T, data: OutageBoardCommand<T>['data']) => handler.execute(new OutageBoardCommand(action, data, admin, context));

    const declared = await run('DeclareOutage', { scope: 'all users', reason: 'Login fails' });
    const outageId = declared.events.map((e) => (e.data as { outageId: string }).outageId)[0]!;
    for (const result of [
      declared,
      await run('AcknowledgeOutageAlert', { outageId }),
      await run('ReportMonitorStatus', { monitor: 'chicago', status: 'down', observedAt: '2026-03-15T07:05:00Z' }),
      await run('EndOutage', { outageId }),
      await run('RecordOutageDebrief', { outageId, whenItOccurred: 'At 07:00', howItOccurred: 'A bad deploy', preventionPlan: 'Canary deploys' }),
      await run('CloseOutage', { outageId }),
    ]) {
      expect(result.retries).toBe(1);
    }
    expect(lost()).toBe(6);
    expect((await inner.readStream(OUTAGE_BOARD_STREAM)).map((e) => e.type)).toEqual([
      'OutageDeclared',
      'OutageAlertAcknowledged',
      'MonitorReportedStatus',
      'OutageEnded',
      'OutageDebriefRecorded',
      'OutageClosed',
    ]);
  });

  test('a board that never stops changing is a 503 once the budget is used up, never a 409 or a 500', async () => {
    const { store } = losing(new InMemoryEventStore(), () => true);
    const handler = new OutageBoardHandler(new CommandExecutor(store, { clock, seal, maxAttempts: 1, redecideBudgetMs: 50, redecideDelayMs: () => 5 }));
    const error = await handler
      .execute(new OutageBoardCommand('ReportMonitorStatus', { monitor: 'chicago', status: 'down', observedAt: '2026-03-15T07:05:00Z' }, admin, context))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedecideBudgetExceededError);
    expect(classifyError(error)).toEqual({
      status: 503,
      body: { error: 'unavailable', message: expect.stringMatching(/^stream outage-board kept changing for 50 ms \(\d+ attempts, each decided afresh\); nothing was stored; retry later$/) },
      unexpected: false,
    });
  });
});
