import { DEFAULT_RETRY_POLICY, retryDelayMs } from './outbox-dispatcher';

describe('retryDelayMs', () => {
  const fixed = { ...DEFAULT_RETRY_POLICY, jitter: false };
  it('doubles from the initial delay and stops at the bound', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(fixed, n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(fixed, 9)).toBe(256_000);
    expect(retryDelayMs(fixed, 10)).toBe(300_000);
    expect(retryDelayMs(fixed, 60)).toBe(300_000);
  });
  it('spreads a delay over its upper half with jitter', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(2_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0.999999)).toBe(4_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0.5)).toBe(3_000);
  });
});
