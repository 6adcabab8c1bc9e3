import {
  ALWAYS_OPEN,
  Temporal,
  addBusinessTime,
  businessTimeBetween,
  defineCalendar,
  endOfNextBusinessDay,
  isOpen,
  nextClosing,
  nextOpening,
  usFederalHolidays,
  type Weekday,
} from './index';

// The support agreement's calendar: 08:00–18:00 America/New_York, Monday to Friday, US federal
// holidays. Every expectation below was worked out by hand, with its reasoning beside it.
const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const newYork = defineCalendar({
  timeZone: 'America/New_York',
  weeklyHours: WEEKDAYS.map((day) => ({ day, start: '08:00', end: '18:00' })),
  holidays: [...usFederalHolidays(2026), ...usFederalHolidays(2027)],
});

/** An instant written with its New York offset (EST −05:00 / EDT −04:00), so every input is unambiguous. */
const at = (iso: string): Temporal.Instant => Temporal.Instant.from(iso);
const hours = (h: number) => ({ hours: h });
const expectInstant = (actual: Temporal.Instant, expected: string): void => {
  expect(actual.toString()).toBe(at(expected).toString());
};

describe('America/New_York 08:00–18:00 Mon–Fri with US federal holidays', () => {
  describe('spring forward (Sunday 2026-03-08, 02:00 EST → 03:00 EDT)', () => {
    const friday1730 = at('2026-03-06T17:30:00-05:00');

    it('a ticket opened Friday 17:30: 30 min on Friday, 90 min on Monday → Monday 09:30 EDT', () => {
      expectInstant(addBusinessTime(newYork, friday1730, hours(2)), '2026-03-09T09:30:00-04:00');
      // Professional, 4 business hours: 30 min Friday + 3 h 30 min Monday.
      expectInstant(addBusinessTime(newYork, friday1730, hours(4)), '2026-03-09T11:30:00-04:00');
    });

    it('counts the weekend as zero, although its wall clock jumps by an hour', () => {
      const mondayMorning = at('2026-03-09T09:30:00-04:00');
      expect(businessTimeBetween(newYork, friday1730, mondayMorning).toString()).toBe('PT2H');
      // The real elapsed time is 63 h (wall clock 64 h minus the skipped hour).
      expect(mondayMorning.since(friday1730).total('hours')).toBe(63);
    });

    it('a ticket opened Saturday night runs from Monday 08:00 EDT', () => {
      const saturdayNight = at('2026-03-07T22:00:00-05:00');
      expectInstant(addBusinessTime(newYork, saturdayNight, hours(2)), '2026-03-09T10:00:00-04:00');
      expectInstant(addBusinessTime(newYork, saturdayNight, hours(4)), '2026-03-09T12:00:00-04:00');
      expectInstant(nextOpening(newYork, saturdayNight), '2026-03-09T08:00:00-04:00');
      expect(businessTimeBetween(newYork, saturdayNight, at('2026-03-09T08:00:00-04:00')).toString()).toBe('PT0S');
    });

    it('a ticket opened during the skipped hour (Sunday 02:30 EST = 03:30 EDT) also waits for Monday', () => {
      expectInstant(addBusinessTime(newYork, at('2026-03-08T07:30:00Z'), hours(2)), '2026-03-09T10:00:00-04:00');
    });
  });

  describe('fall back (Sunday 2026-11-01, 02:00 EDT → 01:00 EST)', () => {
    const friday1700 = at('2026-10-30T17:00:00-04:00');

    it('a ticket opened Friday 17:00 EDT: 1 h on Friday, 1 h on Monday → Monday 09:00 EST', () => {
      expectInstant(addBusinessTime(newYork, friday1700, hours(2)), '2026-11-02T09:00:00-05:00');
      expectInstant(addBusinessTime(newYork, friday1700, hours(10)), '2026-11-02T17:00:00-05:00');
    });

    it('counts the 25-hour Sunday as zero', () => {
      const monday0900 = at('2026-11-02T09:00:00-05:00');
      expect(businessTimeBetween(newYork, friday1700, monday0900).toString()).toBe('PT2H');
      expect(monday0900.since(friday1700).total('hours')).toBe(65); // wall clock 64 h + the repeated hour
    });

    it('a ticket opened in the repeated hour (either 01:30) starts on Monday 08:00 EST', () => {
      for (const iso of ['2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00']) {
        expectInstant(addBusinessTime(newYork, at(iso), hours(2)), '2026-11-02T10:00:00-05:00');
      }
    });

    it('two business weeks across the change are exactly 100 hours', () => {
      expect(
        businessTimeBetween(newYork, at('2026-10-26T00:00:00-04:00'), at('2026-11-07T00:00:00-05:00')).total('hours'),
      ).toBe(100); // two full weeks, no holidays between Oct 12 and Nov 11
    });
  });

  describe('Thanksgiving (Thursday 2026-11-26)', () => {
    it('a ticket opened Wednesday 17:00: 1 h on Wednesday, Thursday closed, 1 h on Friday → Friday 09:00', () => {
      const wednesday1700 = at('2026-11-25T17:00:00-05:00');
      expectInstant(addBusinessTime(newYork, wednesday1700, hours(2)), '2026-11-27T09:00:00-05:00');
      expectInstant(addBusinessTime(newYork, wednesday1700, hours(4)), '2026-11-27T11:00:00-05:00');
    });

    it('the holiday is closed all day and has no business time', () => {
      expect(isOpen(newYork, at('2026-11-26T12:00:00-05:00'))).toBe(false);
      expect(
        businessTimeBetween(newYork, at('2026-11-26T00:00:00-05:00'), at('2026-11-27T00:00:00-05:00')).toString(),
      ).toBe('PT0S');
      expectInstant(nextOpening(newYork, at('2026-11-25T18:00:00-05:00')), '2026-11-27T08:00:00-05:00');
    });

    it('the next business day after Wednesday is Friday', () => {
      expectInstant(endOfNextBusinessDay(newYork, at('2026-11-25T10:00:00-05:00')), '2026-11-27T18:00:00-05:00');
    });
  });

  describe('Independence Day 2026 (Saturday July 4, observed Friday July 3)', () => {
    it('Thursday 17:00 + 2 h: 1 h Thursday, Friday closed, 1 h Monday → Monday 09:00 EDT', () => {
      expectInstant(addBusinessTime(newYork, at('2026-07-02T17:00:00-04:00'), hours(2)), '2026-07-06T09:00:00-04:00');
      expectInstant(endOfNextBusinessDay(newYork, at('2026-07-02T10:00:00-04:00')), '2026-07-06T18:00:00-04:00');
    });
  });

  describe('exact boundaries: intervals are half-open [08:00, 18:00)', () => {
    it('16:00:00 + 2 h lands exactly on closing: the deadline is 18:00 that day', () => {
      expectInstant(addBusinessTime(newYork, at('2026-03-04T16:00:00-05:00'), hours(2)), '2026-03-04T18:00:00-05:00');
    });

    it('16:00:01 + 2 h carries one second into the next morning: 08:00:01', () => {
      expectInstant(addBusinessTime(newYork, at('2026-03-04T16:00:01-05:00'), hours(2)), '2026-03-05T08:00:01-05:00');
    });

    it('open at 08:00:00 and 17:59:59.999, closed at 18:00:00 and 07:59:59.999', () => {
      expect(isOpen(newYork, at('2026-03-04T08:00:00-05:00'))).toBe(true);
      expect(isOpen(newYork, at('2026-03-04T17:59:59.999-05:00'))).toBe(true);
      expect(isOpen(newYork, at('2026-03-04T18:00:00-05:00'))).toBe(false);
      expect(isOpen(newYork, at('2026-03-04T07:59:59.999-05:00'))).toBe(false);
    });

    it('nextOpening is the instant itself when open; nextClosing at closing time is the next day', () => {
      const opening = at('2026-03-04T08:00:00-05:00');
      expect(nextOpening(newYork, opening)).toBe(opening);
      expectInstant(nextClosing(newYork, opening), '2026-03-04T18:00:00-05:00');
      expectInstant(nextClosing(newYork, at('2026-03-04T18:00:00-05:00')), '2026-03-05T18:00:00-05:00');
    });

    it('adding zero returns the instant itself, even when closed', () => {
      const closed = at('2026-03-04T20:00:00-05:00');
      expect(addBusinessTime(newYork, closed, hours(0)).equals(closed)).toBe(true);
    });
  });

  describe('before opening and after closing', () => {
    it('a ticket at 06:15 starts counting at 08:00 → 10:00', () => {
      expectInstant(addBusinessTime(newYork, at('2026-03-04T06:15:00-05:00'), hours(2)), '2026-03-04T10:00:00-05:00');
    });

    it('a ticket at 19:45 starts counting at 08:00 the next day → 10:00', () => {
      expectInstant(addBusinessTime(newYork, at('2026-03-04T19:45:00-05:00'), hours(2)), '2026-03-05T10:00:00-05:00');
    });

    it('businessTimeBetween clips both ends to open hours', () => {
      expect(
        businessTimeBetween(newYork, at('2026-03-04T06:15:00-05:00'), at('2026-03-05T19:45:00-05:00')).toString(),
      ).toBe('PT20H');
    });

    it('a negative span is the negative of the forward span', () => {
      expect(
        businessTimeBetween(newYork, at('2026-03-05T19:45:00-05:00'), at('2026-03-04T06:15:00-05:00')).toString(),
      ).toBe('-PT20H');
    });
  });

  describe('endOfNextBusinessDay', () => {
    const cases: [string, string, string, string][] = [
      // receipt, receipt-date result, next-opening result, why
      ['2026-03-04T10:00:00-05:00', '2026-03-05T18:00:00-05:00', '2026-03-05T18:00:00-05:00', 'open Wednesday: Thursday either way'],
      ['2026-03-04T06:00:00-05:00', '2026-03-05T18:00:00-05:00', '2026-03-05T18:00:00-05:00', 'before opening: the next opening is the same day'],
      ['2026-03-04T19:00:00-05:00', '2026-03-05T18:00:00-05:00', '2026-03-06T18:00:00-05:00', 'after closing: the next opening is Thursday'],
      ['2026-03-06T19:00:00-05:00', '2026-03-09T18:00:00-04:00', '2026-03-10T18:00:00-04:00', 'Friday evening, over spring forward'],
      ['2026-03-07T22:00:00-05:00', '2026-03-09T18:00:00-04:00', '2026-03-10T18:00:00-04:00', 'Saturday night'],
      ['2026-11-25T19:00:00-05:00', '2026-11-27T18:00:00-05:00', '2026-11-30T18:00:00-05:00', 'Wednesday evening before Thanksgiving'],
      ['2026-12-31T12:00:00-05:00', '2027-01-04T18:00:00-05:00', '2027-01-04T18:00:00-05:00', 'over New Year 2027 (Friday Jan 1 closed)'],
    ];
    it.each(cases)('received %s → %s (receipt-date) / %s (next-opening): %s', (receipt, fromReceipt, fromOpening) => {
      expectInstant(endOfNextBusinessDay(newYork, at(receipt)), fromReceipt);
      expectInstant(endOfNextBusinessDay(newYork, at(receipt), { countFrom: 'receipt-date' }), fromReceipt);
      expectInstant(endOfNextBusinessDay(newYork, at(receipt), { countFrom: 'next-opening' }), fromOpening);
    });
  });

  describe('24/7 spans across both DST changes', () => {
    // A 24/7 calendar compiled in New York time (one far-off holiday keeps it off the never-closes
    // shortcut), and ALWAYS_OPEN: both count real elapsed time.
    const newYork247 = defineCalendar({
      timeZone: 'America/New_York',
      weeklyHours: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => ({
        day: day as Weekday,
        start: '00:00',
        end: '24:00',
      })),
      holidays: ['2099-01-01'],
    });

    it.each([
      ['ALWAYS_OPEN', ALWAYS_OPEN],
      ['24/7 in New York', newYork247],
    ])('%s: spring-forward Sunday lasts 23 h, fall-back Sunday 25 h', (_name, calendar) => {
      expect(
        businessTimeBetween(calendar, at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00')).toString(),
      ).toBe('PT23H');
      expect(
        businessTimeBetween(calendar, at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00')).toString(),
      ).toBe('PT25H');
      // 01:30 EST + 1 h is 03:30 EDT; 00:30 EDT + 2 h is 01:30 EST (the second 01:30).
      expectInstant(addBusinessTime(calendar, at('2026-03-08T01:30:00-05:00'), hours(1)), '2026-03-08T03:30:00-04:00');
      expectInstant(addBusinessTime(calendar, at('2026-11-01T00:30:00-04:00'), hours(2)), '2026-11-01T01:30:00-05:00');
      // A week that contains the spring-forward: 7 × 24 − 1 hours.
      expect(
        businessTimeBetween(calendar, at('2026-03-02T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00')).total('hours'),
      ).toBe(167);
      expect(isOpen(calendar, at('2026-03-08T02:30:00-05:00'))).toBe(true);
    });

    it('ALWAYS_OPEN never closes; the New York 24/7 calendar closes only for its holiday', () => {
      expect(() => nextClosing(ALWAYS_OPEN, at('2026-03-08T00:00:00Z'))).toThrow(/never closes/);
      expectInstant(nextClosing(newYork247, at('2026-03-08T00:00:00Z')), '2099-01-01T00:00:00-05:00');
    });
  });
});
