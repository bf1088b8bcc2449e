// XMLDSig namespace and the algorithm URIs the gateway signs with and accepts; nothing else is allowed.

/** XMLDSig namespace. */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** Exclusive XML Canonicalization 1.0 without comments: the only c14n the gateway uses or accepts. */
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
/** Enveloped-signature transform. */
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
/** SHA-256 digest. */
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

/** Signature algorithms the gateway supports, by the key type that makes them. */
export const SIGNATURE_METHODS = {
  'rsa-sha256': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'ecdsa-p256-sha256': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
} as const;

/** Name of a supported signature algorithm. */
export type SignatureAlgorithm = keyof typeof SIGNATURE_METHODS;

/**
 * The hash of a WS-Security suite, for its digests and its RSA signature: SHA-256, or SHA-1 where a
 * partner's deployed suite still demands it (WCF `Basic128Rsa15`: RSA-SHA1 with SHA-1 digests). SHA-1 is
 * allowed for WS-Security towards and from such partners only; enveloped XMLDSig stays SHA-256.
 */
export type WsSecurityHash = 'sha256' | 'sha1';

/** Digest method URI of each WS-Security hash. */
export const WS_SECURITY_DIGESTS: Readonly<Record<WsSecurityHash, string>> = {
  sha256: SHA256,
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
};

/** RSA signature method URI of each WS-Security hash (ECDSA is SHA-256 only). */
export const WS_SECURITY_RSA_METHODS: Readonly<Record<WsSecurityHash, string>> = {
  sha256: SIGNATURE_METHODS['rsa-sha256'],
  sha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
};
