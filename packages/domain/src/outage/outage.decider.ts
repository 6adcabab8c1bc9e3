import type { Decider } from '../shared/decider';
import type { OutageCommand } from './outage.commands';
import { decideOutage } from './outage.decide';
import type { OutageEvent } from './outage.events';
import { evolveOutage } from './outage.evolve';
import { initialOutageBoard, type OutageBoard } from './outage.state';

/** The outage aggregate: a single status-board stream (monitor reports and the outages they imply). */
export const outageDecider: Decider<OutageCommand, OutageBoard, OutageEvent> = {
  decide: decideOutage,
  evolve: evolveOutage,
  initialState: initialOutageBoard,
};
