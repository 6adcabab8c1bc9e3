import { generateKeyPairSync } from 'node:crypto';
import { checkSignature, decodeSeal, keyIdOf, publicKeyText, SEAL_FORMAT, sealId, signSeal, streamHeadsDigest, type SealBody } from './seal';

const keys = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const text = publicKeyText(publicKey);
  return { privateKey, publicKey: text, keyId: keyIdOf(text) };
};

const body = (key: ReturnType<typeof keys>): SealBody => ({
  format: SEAL_FORMAT,
  sequence: 0,
  previous: null,
  sealedAt: '2026-03-10T13:00:00.000Z',
  headPosition: '3',
  head: { streamId: 'ticket-a', revision: '1', hash: 'a'.repeat(64) },
  streams: 2,
  events: 3,
  digest: 'd'.repeat(64),
  changed: { 'ticket-a': { revision: '1', hash: 'a'.repeat(64), position: '3' }, 'ticket-b': { revision: '0', hash: 'b'.repeat(64), position: '2' } },
  keyId: key.keyId,
  publicKey: key.publicKey,
});

describe('a seal', () => {
  it('is signed with Ed25519 over its canonical JSON, and the signature holds after a JSON round trip', () => {
    const key = keys();
    const seal = signSeal(body(key), key.privateKey);
    expect(checkSignature(seal)).toBeUndefined();
    const readBack = decodeSeal(JSON.parse(JSON.stringify(seal)));
    expect(checkSignature(readBack)).toBeUndefined();
    expect(sealId(readBack)).toBe(sealId(seal));
    expect(sealId(seal)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('no longer verifies when any statement in it changes', () => {
    const key = keys();
    const seal = signSeal(body(key), key.privateKey);
    expect(checkSignature({ ...seal, headPosition: '2' })).toMatch(/signature does not verify/);
    expect(checkSignature({ ...seal, digest: 'e'.repeat(64) })).toMatch(/signature does not verify/);
    expect(checkSignature({ ...seal, changed: { ...seal.changed, 'ticket-b': { revision: '0', hash: 'c'.repeat(64), position: '2' } } })).toMatch(/signature does not verify/);
  });

  it('cannot be re-signed by another key while keeping the original key id', () => {
    const key = keys();
    const other = keys();
    const forged = signSeal({ ...body(key), publicKey: other.publicKey }, other.privateKey);
    expect(checkSignature(forged)).toMatch(/keyId .* is not the id of its public key/);
    // Re-signed honestly with the other key it verifies, but names the other key: pinning a key tells them apart.
    const resigned = signSeal({ ...body(key), publicKey: other.publicKey, keyId: other.keyId }, other.privateKey);
    expect(checkSignature(resigned)).toBeUndefined();
    expect(resigned.keyId).not.toBe(key.keyId);
  });

  it('refuses anything that is not a seal, naming the field', () => {
    const key = keys();
    const seal = signSeal(body(key), key.privateKey);
    expect(() => decodeSeal({ ...seal, sequence: -1 })).toThrow(/field sequence/);
    expect(() => decodeSeal({ ...seal, digest: 'xyz' })).toThrow(/field digest/);
    expect(() => decodeSeal({ ...seal, format: 'other/1' })).toThrow(/field format/);
    const { signature: _signature, ...unsigned } = seal;
    expect(() => decodeSeal(unsigned)).toThrow(/field signature/);
  });

  it('refuses a public key that is not Ed25519', () => {
    const key = keys();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const seal = signSeal(body(key), key.privateKey);
    const rsaText = publicKeyText(rsa);
    expect(checkSignature({ ...seal, publicKey: rsaText, keyId: keyIdOf(rsaText) })).toMatch(/rsa key, not Ed25519/);
  });
});

describe('streamHeadsDigest', () => {
  it('does not depend on the order the streams come in, but on every head', () => {
    const a = ['ticket-a', { revision: 3n, hash: 'a'.repeat(64) }] as const;
    const b = ['ticket-b', { revision: 0n, hash: 'b'.repeat(64) }] as const;
    expect(streamHeadsDigest([a, b])).toBe(streamHeadsDigest([b, a]));
    expect(streamHeadsDigest([a, b])).not.toBe(streamHeadsDigest([a]));
    expect(streamHeadsDigest([a, b])).not.toBe(streamHeadsDigest([a, ['ticket-b', { revision: 1n, hash: 'b'.repeat(64) }]]));
    expect(streamHeadsDigest([a, b])).not.toBe(streamHeadsDigest([a, ['ticket-b', { revision: 0n, hash: 'c'.repeat(64) }]]));
  });
});
