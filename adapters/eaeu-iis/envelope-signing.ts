// The `iis-xmldsig` signing profile: enveloped XMLDSig over the whole SOAP envelope, the signature as its last header block.
import { envelopedXmlSigning } from '../../src/partners/kit.js';

/**
 * Signs an integrated-system envelope as one document: headers and document are both covered, and the
 * signature sits in the Header, the one place SOAP 1.2 allows it. A GOST profile plugs in the same way,
 * under another name (the message's `signing`).
 */
export const envelopeSigning = envelopedXmlSigning(
  'iis-xmldsig',
  'enveloped XMLDSig over a whole SOAP envelope, the signature as the last header block: exc-c14n, SHA-256, RSA-SHA256 or ECDSA-SHA256',
  'soap-header',
);
