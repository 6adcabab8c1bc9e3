/* Replay benchmark: decide → evolve → ticketSla over many synthetic tickets.
 * Run: npx tsc -b packages/domain && node packages/domain/dist/bench/replay.bench.js [tickets] */
import * as E from 'fp-ts/Either';
import { defaultPolicy } from '../policy/policy.default';
import { decodeEvent } from '../shared/codecs';
import { ticketSla } from '../sla/ticket-sla';
import { actors, openTicketCommand } from '../testing/fixtures';
import type { TicketCommand } from '../ticket/ticket.commands';
import { ticketDecider } from '../ticket/ticket.decider';
import type { TicketEvent } from '../ticket/ticket.events';
import type { TicketState } from '../ticket/ticket.state';

const tickets = Number(process.argv[2] ?? 20_000);
const start = Date.parse('2026-01-05T13:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const scenario = (i: number): TicketCommand[] => {
  const t0 = start + i * 7 * 60_000;
  const ticketId = `t-${i}`;
  const ref = { ticketId };
  const at = (minutes: number) => iso(t0 + minutes * 60_000);
  return [
    { ...openTicketCommand({ ticketId, ticketNumber: `SS-${String(i).padStart(6, '0')}`, now: at(0), license: i % 3 === 0 ? 'administrator' : 'teacher' }) },
    { type: 'ClassifyTicket', now: at(30), actor: actors.agent, data: { ...ref, category: 'personal/how-to' } },
    { type: 'AwaitCustomer', now: at(90), actor: actors.agent, data: { ...ref, reason: 'Need details' } },
    { type: 'RecordCustomerReply', now: at(600), actor: actors.agent, data: ref },
    { type: 'RespondToTicket', now: at(700), actor: actors.agent, data: { ...ref, message: 'Hi', actionPlan: 'Plan', definedAs: 'project' } },
    { type: 'ResolveTicket', now: at(2000), actor: actors.agent, data: { ...ref, resolution: 'Done' } },
    { type: 'CloseTicket', now: at(2100), actor: actors.agent, data: ref },
  ];
};

const histories: TicketEvent[][] = [];
let t = performance.now();
for (let i = 0; i < tickets; i++) {
  let state: TicketState = ticketDecider.initialState;
  const events: TicketEvent[] = [];
  for (const command of scenario(i)) {
    const result = ticketDecider.decide(command, state);
    if (E.isLeft(result)) throw new Error(`${command.type}: ${result.left.code}`);
    for (const e of result.right) {
      events.push(e);
      state = ticketDecider.evolve(state, e);
    }
  }
  histories.push(events);
}
const decideMs = performance.now() - t;
const total = histories.reduce((n, h) => n + h.length, 0);

t = performance.now();
let checksum = 0;
for (const events of histories) {
  let state: TicketState = ticketDecider.initialState;
  for (const e of events) state = ticketDecider.evolve(state, e);
  checksum += state.status === 'closed' ? 1 : 0;
}
const evolveMs = performance.now() - t;

t = performance.now();
for (const events of histories) {
  let state: TicketState = ticketDecider.initialState;
  for (const e of events) {
    state = ticketDecider.evolve(state, e);
    if (state.status !== 'none') checksum += ticketSla(state, defaultPolicy, e.data.at).response.businessTimeUsedMs > 0 ? 1 : 0;
  }
}
const slaMs = performance.now() - t;

// Baseline, measured in the same run: parsing the same events from JSON and nothing else — the
// least any replay from a store must do. Decoding through the codecs is timed beside it.
const lines = histories.flatMap((events) => events.map((e) => JSON.stringify(e)));
t = performance.now();
for (const line of lines) checksum += (JSON.parse(line) as { schemaVersion: number }).schemaVersion;
const parseMs = performance.now() - t;
t = performance.now();
for (const line of lines) checksum += decodeEvent(JSON.parse(line))._tag === 'Right' ? 1 : 0;
const decodeMs = performance.now() - t;

const ratio = (ms: number) => `${(ms / parseMs).toFixed(2)}× the baseline`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
process.stdout.write(
  [
    `tickets: ${tickets}, events: ${total} (checksum ${checksum})`,
    `baseline: JSON.parse of the events: ${parseMs.toFixed(0)} ms, ${rate(total, parseMs)} events`,
    `JSON.parse + decodeEvent (codecs):  ${decodeMs.toFixed(0)} ms, ${rate(total, decodeMs)} events, ${ratio(decodeMs)}`,
    `decide+evolve (commands → events):  ${decideMs.toFixed(0)} ms, ${rate(total, decideMs)} events, ${ratio(decideMs)}`,
    `evolve replay:                      ${evolveMs.toFixed(0)} ms, ${rate(total, evolveMs)} events, ${ratio(evolveMs)}`,
    `evolve + ticketSla per event:       ${slaMs.toFixed(0)} ms, ${rate(total, slaMs)} events, ${ratio(slaMs)}`,
  ].join('\n') + '\n',
);
