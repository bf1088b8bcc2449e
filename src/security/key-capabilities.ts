// What a holder of a private key may do with it, without ever seeing it: sign, decrypt, show the certificate.
import { createPrivateKey, privateDecrypt, constants, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';
import type { SignatureAlgorithm } from './xmldsig-algorithms.js';

/** Digests a signature may be made with; SHA-1 only for partners whose suites still demand it. */
export type SignatureHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Signing with our key for one partner. The private key stays inside. */
export interface SigningCapability {
  /** The XMLDSig algorithm the key makes with SHA-256: RSA-SHA256 or ECDSA-P256-SHA256. */
  readonly algorithm: SignatureAlgorithm;
  /** `rsa` or `ec`. */
  readonly keyType: 'rsa' | 'ec';
  /** Our certificate for this partner (public: it goes into KeyInfo, tokens and CMS). */
  readonly certificate: X509Certificate;
  /**
   * A raw signature value over `data`: RSA PKCS#1 v1.5, or ECDSA as r‖s (`ieee-p1363`, as XMLDSig
   * wants) unless `dsaEncoding: 'der'` (as CMS wants).
   */
  sign(data: Buffer | string, options?: { hash?: SignatureHash; dsaEncoding?: 'der' | 'ieee-p1363' }): Buffer;
  /** {@link sign} on libuv's thread pool, so a busy server keeps its own thread for other work. */
  signAsync(data: Buffer | string, options?: { hash?: SignatureHash; dsaEncoding?: 'der' | 'ieee-p1363' }): Promise<Buffer>;
}

/** RSA key transport paddings a partner may encrypt a session key with. */
export type KeyTransportPadding = 'rsa-pkcs1-v1_5' | 'rsa-oaep-sha1' | 'rsa-oaep-sha256';

/** Decrypting what was encrypted for our certificate. The private key stays inside. */
export interface DecryptCapability {
  /**
   * Decrypts a small value (a session key) encrypted for our certificate.
   * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when it does not decrypt with our key.
   */
  decrypt(ciphertext: Buffer, padding: KeyTransportPadding): Buffer;
}

/** Everything our key for one partner can do. */
export interface KeyCapabilities extends SigningCapability, DecryptCapability {}

function keyProblem(reason: string, detail: Record<string, unknown> = {}, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_KEY_UNAVAILABLE', reason, detail, cause === undefined ? undefined : { cause });
}

function algorithmOf(key: KeyObject, where: string): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw keyProblem(`${where}: RSA keys must have at least 2048 bits`);
    return 'rsa-sha256';
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256-sha256';
  throw keyProblem(`${where}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'} (RSA 2048+ or EC P-256)`);
}

/**
 * Wraps a parsed private key and its certificate as capabilities.
 * @param where the file or name the key came from, for messages
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when the certificate is not the key's, or the key is unfit.
 */
export function keyCapabilities(privateKey: KeyObject, certificate: X509Certificate, where = 'key'): KeyCapabilities {
  const algorithm = algorithmOf(privateKey, where);
  if (!certificate.checkPrivateKey(privateKey)) throw keyProblem(`${where}: the certificate does not belong to the key`);
  let forgeKey: forge.pki.rsa.PrivateKey | undefined;
  const keyFor = (options: { dsaEncoding?: 'der' | 'ieee-p1363' }) =>
    privateKey.asymmetricKeyType === 'ec' ? { key: privateKey, dsaEncoding: options.dsaEncoding ?? 'ieee-p1363' } : privateKey;
  const bytes = (data: Buffer | string): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return {
    algorithm,
    keyType: privateKey.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec',
    certificate,
    sign(data, options = {}) {
      return cryptoSign(options.hash ?? 'sha256', bytes(data), keyFor(options));
    },
    signAsync(data, options = {}) {
      return new Promise((resolve, reject) => cryptoSign(options.hash ?? 'sha256', bytes(data), keyFor(options), (err, signature) => (err ? reject(err) : resolve(signature))));
    },
    decrypt(ciphertext, padding) {
      if (privateKey.asymmetricKeyType !== 'rsa') throw keyProblem(`${where}: only an RSA key decrypts a transported key`);
      try {
        if (padding !== 'rsa-pkcs1-v1_5') {
          return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: padding === 'rsa-oaep-sha1' ? 'sha1' : 'sha256' }, ciphertext);
        }
        // Node refuses PKCS#1 v1.5 decryption (Marvin attack); node-forge does it, on a key converted once.
        forgeKey ??= forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
        return Buffer.from(forgeKey.decrypt(ciphertext.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
      } catch (err) {
        throw keyProblem(`${where}: the value does not decrypt with this key`, {}, err);
      }
    },
  };
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw keyProblem(`cannot read the ${what} ${file} (for development keys run: npx gateway certs init)`, { file }, err);
  }
}

/**
 * Reads a certificate file (PEM; DER is accepted too).
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE naming the file.
 */
export function readCertificate(file: string, what = 'certificate'): X509Certificate {
  const bytes = read(file, what);
  try {
    return new X509Certificate(bytes);
  } catch (err) {
    throw keyProblem(`${file} is not a readable X.509 certificate`, { file }, err);
  }
}

/**
 * Reads every certificate of a PEM bundle file (several for a rollover, or a CA chain).
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE naming the file when it holds none or an unreadable one.
 */
export function readCertificates(file: string, what = 'certificate'): X509Certificate[] {
  const text = read(file, what).toString('utf8');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return [readCertificate(file, what)];
  return blocks.map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw keyProblem(`${file} holds an unreadable certificate`, { file }, err);
    }
  });
}

/**
 * Loads a private key (PEM, PKCS#8 or PKCS#1; encrypted with `passphrase` when given) and its
 * certificate, checks they belong together, and returns the capabilities.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE naming the file.
 */
export function loadKeyCapabilities(keyFile: string, certFile: string, passphrase?: string): KeyCapabilities {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: read(keyFile, 'private key'), ...(passphrase === undefined ? {} : { passphrase }) });
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw keyProblem(`${keyFile} is not a readable private key${passphrase === undefined ? ' (encrypted keys need their passphrase)' : ''}`, { file: keyFile }, err);
  }
  const certificate = readCertificate(certFile, 'certificate');
  try {
    return keyCapabilities(privateKey, certificate, keyFile);
  } catch (err) {
    if (err instanceof GatewayError) throw new GatewayError(err.code, err.message.replace(/^GW_ERR_\w+: /, '').replace(keyFile, `${certFile} and ${keyFile}`), { file: certFile });
    throw err;
  }
}
