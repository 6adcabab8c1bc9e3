import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createKeyFile } from '../config/service-config';
import { keyIdOf, publicKeyText } from './seal';
import { SealsConfigError, type SealsConfig } from './seals.config';

/** The Ed25519 key seals are signed with. */
export interface SealKey {
  readonly privateKey: KeyObject;
  /** Base64 of the public key's DER (SPKI) form, as every seal carries it. */
  readonly publicKey: string;
  readonly keyId: string;
  readonly source: 'environment' | 'key-file' | 'generated';
  /** The key file, when the key lives in one. */
  readonly file: string | undefined;
}

/** PEM text, or base64 of the PKCS#8 DER form. */
function parsePrivateKey(text: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new SealsConfigError(`${where} is not a private key (PEM, or base64 of PKCS#8 DER): ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SealsConfigError(`${where} is an ${key.asymmetricKeyType ?? 'unknown'} key; seals need an Ed25519 key`);
  return key;
}

const describe = (privateKey: KeyObject, source: SealKey['source'], file: string | undefined): SealKey => {
  const publicKey = publicKeyText(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), source, file };
};

/**
 * The seal key: `SUPPORT_SLA_SEAL_KEY` when set; otherwise the key file (`SEAL_KEY_FILE`, or
 * `seal-key.pem` beside the database). Outside production a missing key file is created with a
 * new key (mode 0600); in production it must already exist. Never the token key (see the config).
 */
export function resolveSealKey(config: Pick<SealsConfig, 'keyText' | 'keyFile' | 'keyFileGiven' | 'production'>): SealKey {
  if (config.keyText !== undefined) return describe(parsePrivateKey(config.keyText, 'SUPPORT_SLA_SEAL_KEY'), 'environment', undefined);
  const file = config.keyFile;
  if (existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new SealsConfigError(`cannot read the seal key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return describe(parsePrivateKey(text, `the seal key file ${file}`), 'key-file', file);
  }
  if (config.production) throw new SealsConfigError(`the seal key file ${file} does not exist (NODE_ENV=production never generates one)`);
  const { privateKey } = generateKeyPairSync('ed25519');
  return createKeyFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()) ? describe(privateKey, 'generated', file) : resolveSealKey(config);
}
