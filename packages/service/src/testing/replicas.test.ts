import { holdsLease } from './replicas';

describe("reading from /health whether a replica holds the notifications lease", () => {
  it('reads the lease when /health reports one, whatever the state says', () => {
    expect(holdsLease({ notifications: { state: 'sending', lease: { held: true, holder: 'r1' } } })).toBe(true);
    expect(holdsLease({ notifications: { state: 'sending', lease: { held: false } } })).toBe(false);
    expect(holdsLease({ notifications: { state: 'standby', lease: true } })).toBe(true);
    expect(holdsLease({ notifications: { state: 'sending', leaseHolder: false } })).toBe(false);
  });

  it("falls back to the SQLite sender lock's state, and to no without the e-mail module", () => {
    expect(holdsLease({ notifications: { state: 'sending' } })).toBe(true);
    expect(holdsLease({ notifications: { state: 'standby' } })).toBe(false);
    expect(holdsLease({ notifications: { state: 'off' } })).toBe(false);
    expect(holdsLease({ status: 'ok' })).toBe(false);
  });
});
