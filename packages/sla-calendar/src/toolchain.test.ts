import { Temporal } from 'temporal-polyfill';

test('temporal-polyfill loads under jest', () => {
  expect(Temporal.Instant.from('2026-03-08T07:00:00Z').toZonedDateTimeISO('America/New_York').hour).toBe(3);
});
