import type { DomainEvent } from '@support-sla/domain';
import { roundTrip, UnstorableEventError } from './command-executor';

// The executor through the slices' command handlers: e2e/command-path.test.ts.
describe('nothing is stored that cannot be read back (issue 20)', () => {
  test('roundTrip returns what the store will hold, and refuses an instant the codec would not read back', () => {
    const at = '2026-03-06T22:30:00.000Z';
    const declared = { type: 'OutageDeclared', schemaVersion: 1, data: { at, by: { id: 'm', role: 'monitor' }, outageId: 'OUTAGE-0001', declaredAt: '1900-12-31T00:01:00.000Z' } } as unknown as DomainEvent;
    expect(() => roundTrip(declared)).toThrow(UnstorableEventError);
    expect(() => roundTrip(declared)).toThrow(/OutageDeclared\.data\.declaredAt/);
    const fine = { ...declared, data: { ...(declared.data as object), declaredAt: at } } as unknown as DomainEvent;
    expect(roundTrip(fine)).toEqual(JSON.parse(JSON.stringify(fine)));
  });
});
