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

  it('refuses to sign an unknown role', () => {
    expect(() => tokens.sign({ sub: 'u1', role: 'root' as never, org: 'acme' })).toThrow(/unknown role/);
  });
});
