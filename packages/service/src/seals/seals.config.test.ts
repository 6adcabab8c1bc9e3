import { join } from 'node:path';
import { readSealsConfig } from './seals.config';

const base: { dbFile: string; production: boolean; tokenKey: string | undefined } = { dbFile: '/srv/sla/data/support-sla.sqlite', production: false, tokenKey: undefined };
const read = (env: Record<string, string>, extra: Partial<typeof base> = {}) => readSealsConfig({ ...base, ...extra, env }, '/work');

describe('readSealsConfig', () => {
  it('defaults: hourly, a key file and a seal file beside the database, standard output on, no webhook', () => {
    expect(read({})).toEqual({
      keyText: undefined,
      keyFile: '/srv/sla/data/seal-key.pem',
      keyFileGiven: false,
      file: '/srv/sla/data/seals.jsonl',
      webhookUrl: undefined,
      stdout: true,
      intervalMs: 3_600_000,
      production: false,
    });
    expect(read({}, { dbFile: ':memory:' })).toMatchObject({ keyFile: join('/work', 'data', 'seal-key.pem'), file: join('/work', 'data', 'seals.jsonl') });
  });

  it('reads every variable, paths relative to the working directory', () => {
    expect(
      read({ SEAL_INTERVAL_SECONDS: '0', SEAL_FILE: 'audit/seals.jsonl', SEAL_KEY_FILE: '/etc/sla/seal.pem', SEAL_WEBHOOK_URL: 'https://notary.example/seals', SEAL_STDOUT: 'off' }),
    ).toEqual({
      keyText: undefined,
      keyFile: '/etc/sla/seal.pem',
      keyFileGiven: true,
      file: '/work/audit/seals.jsonl',
      webhookUrl: 'https://notary.example/seals',
      stdout: false,
      intervalMs: 0,
      production: false,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => read({ SEAL_INTERVAL_SECONDS: '1h' })).toThrow(/SEAL_INTERVAL_SECONDS must be a whole number of seconds from 0 \(off\)/);
    expect(() => read({ SEAL_INTERVAL_SECONDS: '99999999' })).toThrow(/SEAL_INTERVAL_SECONDS/);
    expect(() => read({ SEAL_WEBHOOK_URL: 'notary' })).toThrow(/SEAL_WEBHOOK_URL is not a URL/);
    expect(() => read({ SEAL_WEBHOOK_URL: 'ftp://notary.example' })).toThrow(/SEAL_WEBHOOK_URL must use http: or https:/);
    expect(() => read({ SEAL_STDOUT: 'yes' })).toThrow(/SEAL_STDOUT must be on or off/);
    expect(() => read({ SUPPORT_SLA_SEAL_KEY: 'k', SEAL_KEY_FILE: 'f' })).toThrow(/not both/);
    expect(() => read({ SEAL_FILE: '/k.pem', SEAL_KEY_FILE: '/k.pem' })).toThrow(/SEAL_FILE must not be the seal key file/);
  });

  it('keeps the seal key apart from the token key', () => {
    expect(() => read({ SEAL_KEY_FILE: '/srv/sla/data/token-key' })).toThrow(/SEAL_KEY_FILE must not be the token key file/);
    const tokenKey = 'x'.repeat(40);
    expect(() => read({ SUPPORT_SLA_SEAL_KEY: tokenKey }, { tokenKey })).toThrow(/SUPPORT_SLA_SEAL_KEY must not be the token key/);
  });

  it('in production, the key must be given', () => {
    expect(() => read({}, { production: true })).toThrow(/SEAL_KEY_FILE or SUPPORT_SLA_SEAL_KEY is required when NODE_ENV=production/);
    expect(read({ SEAL_KEY_FILE: '/etc/sla/seal.pem' }, { production: true })).toMatchObject({ production: true, keyFileGiven: true });
  });
});
