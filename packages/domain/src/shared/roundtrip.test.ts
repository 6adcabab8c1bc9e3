import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { arbCommand, arbEvent, arbPolicy } from '../testing/arbitraries';
import { validatePolicy } from '../policy/policy.decide';
import { COMMAND_TYPES, EVENT_TYPES, decodeCommand, decodeEvent, encodeCommand, encodeEvent } from './codecs';

const viaJson = (u: unknown): unknown => JSON.parse(JSON.stringify(u));

describe('codec round trips', () => {
  it('every event round-trips through its codec and JSON', () => {
    fc.assert(
      fc.property(arbEvent, (event) => {
        expect(decodeEvent(viaJson(encodeEvent(event)))).toEqual(E.right(event));
      }),
      { numRuns: 400 },
    );
  });

  it('every command round-trips through its codec and JSON', () => {
    fc.assert(
      fc.property(arbCommand, (command) => {
        expect(decodeCommand(viaJson(encodeCommand(command)))).toEqual(E.right(command));
      }),
      { numRuns: 400 },
    );
  });

  it('the generators cover every event and command type', () => {
    const events = new Set(fc.sample(arbEvent, { numRuns: 600, seed: 7 }).map((e) => e.type));
    const commands = new Set(fc.sample(arbCommand, { numRuns: 600, seed: 7 }).map((c) => c.type));
    expect([...events].sort()).toEqual([...EVENT_TYPES].sort());
    expect([...commands].sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it('generated policies are valid policies', () => {
    fc.assert(
      fc.property(arbPolicy, (policy) => {
        expect(validatePolicy(policy)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });
});
