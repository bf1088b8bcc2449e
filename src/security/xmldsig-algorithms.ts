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
