import jwt from 'jsonwebtoken';
import { InvalidTokenError, TokenService } from './token.service';

const key = 'k'.repeat(32);

describe('TokenService', () => {
  const tokens = new TokenService(key);

  it('round-trips the claims of a signed token', () => {
    const token = tokens.sign({ sub: 'u1', role: 'agent', org: 'acme', name: 'Ann', email: 'ann@acme.test' });
    expect(tokens.verify(token)).toEqual({ id: 'u1', role: 'agent', org: 'acme', name: 'Ann', email: 'ann@acme.test' });
  });

  it('refuses tokens signed with another key, expired, unsigned, or missing claims', () => {
    const other = new TokenService('x'.repeat(32)).sign({ sub: 'u1', role: 'agent', org: 'acme' });
    expect(() => tokens.verify(other)).toThrow(InvalidTokenError);
    const expired = jwt.sign({ role: 'agent', org: 'acme', exp: Math.floor(Date.now() / 1000) - 10 }, key, { subject: 'u1', issuer: 'support-sla' });
    expect(() => tokens.verify(expired)).toThrow(/expired/);
    const unsigned = jwt.sign({ role: 'admin', org: 'acme' }, '', { algorithm: 'none', subject: 'u1', issuer: 'support-sla' });
    expect(() => tokens.verify(unsigned)).toThrow(InvalidTokenError);
    const noOrg = jwt.sign({ role: 'agent' }, key, { subject: 'u1', issuer: 'support-sla' });
    expect(() => tokens.verify(noOrg)).toThrow(/organization/);
    const badRole = jwt.sign({ role: 'root', org: 'acme' }, key, { subject: 'u1', issuer: 'support-sla' });
    expect(() => tokens.verify(badRole)).toThrow(/role/);
    expect(() => tokens.verify('not.a.token')).toThrow(InvalidTokenError);
  });

  it('checks a token it verified before only for expiry, and refuses it from the second it expires', () => {
    const fresh = new TokenService(key);
    const token = fresh.sign({ sub: 'u2', role: 'agent', org: 'acme' }, { expiresIn: 60 });
    const exp = (jwt.decode(token) as { exp: number }).exp;
    const signatureChecks = jest.spyOn(jwt, 'verify');
    const now = jest.spyOn(Date, 'now');
    try {
      expect(fresh.verify(token)).toEqual({ id: 'u2', role: 'agent', org: 'acme' });
      expect(fresh.verify(token)).toEqual({ id: 'u2', role: 'agent', org: 'acme' });
      expect(signatureChecks).toHaveBeenCalledTimes(1);
      now.mockReturnValue(exp * 1000 - 1);
      expect(fresh.verify(token).id).toBe('u2');
      now.mockReturnValue(exp * 1000);
      expect(() => fresh.verify(token)).toThrow(/expired/);
      expect(() => fresh.verify(token)).toThrow(/expired/);
      // A refused token is not remembered: each attempt is checked in full.
      const other = new TokenService('x'.repeat(32)).sign({ sub: 'u1', role: 'agent', org: 'acme' });
      signatureChecks.mockClear();
      expect(() => fresh.verify(other)).toThrow(InvalidTokenError);
      expect(() => fresh.verify(other)).toThrow(InvalidTokenError);
      expect(signatureChecks).toHaveBeenCalledTimes(2);
    } finally {
      now.mockRestore();
      signatureChecks.mockRestore();
    }
  });

  const signRaw = (claims: Record<string, unknown>, options: jwt.SignOptions = { expiresIn: 600 }): string =>
    jwt.sign(claims, key, { algorithm: 'HS256', issuer: 'support-sla', ...options });

  it('checks the claims with the codecs of the events they end up in, and names the claim it refuses (issue 20)', () => {
    const base = { sub: 'u-ada', role: 'administrator', org: 'acme', email: 'ada@acme.example' };
    expect(tokens.verify(signRaw(base))).toEqual({ id: 'u-ada', role: 'administrator', org: 'acme', email: 'ada@acme.example' });
    // The stored TicketOpened of each of these would not decode again (domain Email, NonEmptyString).
    expect(() => tokens.verify(signRaw({ ...base, email: 'ada@localhost' }))).toThrow(/claim email .*Email/);
    expect(() => tokens.verify(signRaw({ ...base, email: 42 }))).toThrow(/claim email/);
    expect(() => tokens.verify(signRaw({ ...base, name: '   ' }))).toThrow(/claim name/);
    expect(() => tokens.verify(signRaw({ ...base, name: null }))).toThrow(/claim name/);
    expect(() => tokens.verify(signRaw({ ...base, sub: ' \t' }))).toThrow(/claim sub/);
    expect(() => tokens.verify(signRaw({ ...base, sub: 7 }))).toThrow(/claim sub/);
    expect(() => tokens.verify(signRaw({ ...base, org: '  ' }))).toThrow(/claim org/);
    expect(() => tokens.sign({ sub: 'u-ada', role: 'administrator', org: 'acme', email: 'ada@localhost' })).toThrow(/claim email/);
  });

  it('binds a monitor token to one location: required for role monitor, refused for any other (issue 20)', () => {
    const monitor = tokens.sign({ sub: 'mon-1', role: 'monitor', org: 'ops', monitor: 'chicago' });
    expect(tokens.verify(monitor)).toEqual({ id: 'mon-1', role: 'monitor', org: 'ops', monitor: 'chicago' });
    expect(() => tokens.verify(signRaw({ sub: 'mon-1', role: 'monitor', org: 'ops' }))).toThrow(/monitor token must name its location/);
    expect(() => tokens.verify(signRaw({ sub: 'mon-1', role: 'monitor', org: 'ops', monitor: 'boston' }))).toThrow(/claim monitor/);
    expect(() => tokens.verify(signRaw({ sub: 'u1', role: 'agent', org: 'acme', monitor: 'chicago' }))).toThrow(/only for role monitor/);
    expect(() => tokens.sign({ sub: 'mon-1', role: 'monitor', org: 'ops' })).toThrow(/location/);
  });

  it('requires an expiry, and refuses a lifetime over the cap (issue 20: a token without exp was good forever)', () => {
    const claims = { sub: 'u1', role: 'agent', org: 'acme' };
    expect(() => tokens.verify(signRaw(claims, {}))).toThrow(/no expiry \(claim exp\)/);
    expect(() => tokens.verify(signRaw(claims, { expiresIn: '31d' }))).toThrow(/lifetime .*31d.* exceeds the maximum of 30d/);
    expect(tokens.verify(signRaw(claims, { expiresIn: '30d' })).id).toBe('u1');
    // Without iat, the lifetime counts from now.
    expect(() => tokens.verify(signRaw({ ...claims, exp: Math.floor(Date.now() / 1000) + 40 * 86_400 }, { noTimestamp: true }))).toThrow(/exceeds/);
    const capped = new TokenService(key, { maxLifetimeSeconds: 3600 });
    expect(() => capped.verify(signRaw(claims, { expiresIn: '2h' }))).toThrow(/exceeds the maximum of 1h/);
    expect(() => capped.sign({ sub: 'u1', role: 'agent', org: 'acme' }, { expiresIn: '8h' })).toThrow(/exceeds/);
    expect(capped.verify(capped.sign({ sub: 'u1', role: 'agent', org: 'acme' }, { expiresIn: '1h' })).id).toBe('u1');
  });

  it('refuses to sign an unknown role', () => {
    expect(() => tokens.sign({ sub: 'u1', role: 'root' as never, org: 'acme' })).toThrow(/unknown role/);
  });
});
