import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf } from './seal';
import { resolveSealKey } from './seal-key';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seal-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fileConfig = (file: string, production = false) => ({ keyText: undefined, keyFile: file, keyFileGiven: false, production });

describe('resolveSealKey', () => {
  it('creates a development key file on first use (mode 0600), then keeps using it', () => {
    const file = join(dir, 'nested', 'seal-key.pem');
    const created = resolveSealKey(fileConfig(file));
    expect(created).toMatchObject({ source: 'generated', file });
    expect(created.keyId).toBe(keyIdOf(created.publicKey));
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = resolveSealKey(fileConfig(file));
    expect(again).toMatchObject({ source: 'key-file', publicKey: created.publicKey });
  });

  it('never generates one in production', () => {
    expect(() => resolveSealKey(fileConfig(join(dir, 'seal-key.pem'), true))).toThrow(/does not exist \(NODE_ENV=production never generates one\)/);
  });

  it('takes the key from SUPPORT_SLA_SEAL_KEY as PEM or as base64 DER', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const fromPem = resolveSealKey({ keyText: pem, keyFile: join(dir, 'unused.pem'), keyFileGiven: false, production: true });
    const fromDer = resolveSealKey({ keyText: der, keyFile: join(dir, 'unused.pem'), keyFileGiven: false, production: true });
    expect(fromPem.source).toBe('environment');
    expect(fromDer.publicKey).toBe(fromPem.publicKey);
  });

  it('refuses a key that is not Ed25519, or not a key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => resolveSealKey({ keyText: rsa, keyFile: '', keyFileGiven: false, production: false })).toThrow(/SUPPORT_SLA_SEAL_KEY is an rsa key; seals need an Ed25519 key/);
    const file = join(dir, 'garbage.pem');
    writeFileSync(file, 'not a key');
    expect(() => resolveSealKey(fileConfig(file))).toThrow(/the seal key file .*garbage\.pem is not a private key/);
  });
});
