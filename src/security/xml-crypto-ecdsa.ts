// ECDSA-SHA256 for xml-crypto, which has none: XMLDSig 1.1 signature values are raw r‖s.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm as XmlCryptoSignatureAlgorithm } from 'xml-crypto';
import { SIGNATURE_METHODS } from './xmldsig-algorithms.js';

/** Verification-only ECDSA-SHA256 for xml-crypto: raw r‖s values only (a DER value fails). */
export class EcdsaSha256 implements XmlCryptoSignatureAlgorithm {
  getSignature(): never {
    throw new Error('verification only');
  }
  verifySignature(material: string, key: KeyObject, signatureValue: string): boolean {
    return cryptoVerify('sha256', Buffer.from(material, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signatureValue, 'base64'));
  }
  getAlgorithmName(): typeof SIGNATURE_METHODS['ecdsa-p256-sha256'] {
    return SIGNATURE_METHODS['ecdsa-p256-sha256'];
  }
}

