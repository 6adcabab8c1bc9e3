#!/usr/bin/env node
/**
 * A tiny runnable demo: for a few sample receipts, the Premium confirmation deadline (2 business
 * hours) and the next-business-day response deadline on the New York support calendar.
 *
 *   npm run demo -w @support-sla/sla-calendar      (or: node packages/sla-calendar/dist/demo.js)
 */
import {
  Temporal,
  addBusinessTime,
  defineCalendar,
  endOfNextBusinessDay,
  isOpen,
  type Weekday,
} from './index';

const weekdays: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const newYork = defineCalendar({
  timeZone: 'America/New_York',
  weeklyHours: weekdays.map((day) => ({ day, start: '08:00', end: '18:00' })),
  holidayRules: ['us-federal'],
});

const receipts: [string, string][] = [
  ['2026-03-04T16:00:00-05:00', 'Wednesday 16:00: lands exactly on closing'],
  ['2026-03-04T16:00:01-05:00', 'one second later: carries into Thursday'],
  ['2026-03-06T17:30:00-05:00', 'Friday 17:30 before the spring-forward weekend'],
  ['2026-03-07T22:00:00-05:00', 'Saturday night'],
  ['2026-10-30T17:00:00-04:00', 'Friday 17:00 before the fall-back weekend'],
  ['2026-11-25T17:00:00-05:00', 'Wednesday 17:00 before Thanksgiving'],
  ['2026-07-02T17:30:00-04:00', 'Thursday 17:30 before Independence Day (observed Friday July 3)'],
];

const local = (instant: Temporal.Instant): string =>
  instant.toZonedDateTimeISO(newYork.timeZone).toPlainDateTime().toString({ smallestUnit: 'second' }).replace('T', ' ') +
  ` ${instant.toZonedDateTimeISO(newYork.timeZone).offset}`;
const weekday = (instant: Temporal.Instant): string =>
  instant.toZonedDateTimeISO(newYork.timeZone).toLocaleString('en-US', { weekday: 'short' });

const out: string[] = [
  `Calendar ${newYork.describe()}`,
  '',
  'received (New York)                      open?  Premium confirmation (2 business h)     response by (next business day)',
];
for (const [iso, why] of receipts) {
  const received = Temporal.Instant.from(iso);
  const confirmation = addBusinessTime(newYork, received, { hours: 2 });
  const response = endOfNextBusinessDay(newYork, received); // countFrom: 'receipt-date' (the default)
  const responseFromOpening = endOfNextBusinessDay(newYork, received, { countFrom: 'next-opening' });
  out.push(
    `${weekday(received)} ${local(received)}  ${isOpen(newYork, received) ? 'yes' : 'no '}    ` +
      `${weekday(confirmation)} ${local(confirmation)}           ${weekday(response)} ${local(response)}` +
      (responseFromOpening.equals(response) ? '' : `  (next-opening: ${weekday(responseFromOpening)} ${local(responseFromOpening)})`),
    `    ${why}`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
