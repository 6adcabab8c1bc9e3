// The builders are public in `@support-sla/domain/testing`; these are the short names the tests here use.
import { ticketCommands } from '../testing/ticket-builders';

export { historyOf, ticketOf } from '../testing/ticket-builders';

/** The builders for `ticket-1`. */
export const command = ticketCommands();
