// Loads the gateway's signing key and certificate from PEM files once, as pre-parsed key objects.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors.js';
import type { SigningKey } from './xml-signer.js';

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `cannot read the ${what} ${file} (for development keys run: npx gateway certs init)`, { file }, { cause: err });
  }
}

/**
 * Loads a private key (PEM, PKCS#8 or PKCS#1) and its certificate, and checks that they belong together.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE naming the file.
 */
export function loadSigningKey(keyFile: string, certFile: string): SigningKey {
  let privateKey;
  let certificate;
  try {
    privateKey = createPrivateKey(read(keyFile, 'signing key'));
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `${keyFile} is not a readable private key`, { file: keyFile }, { cause: err });
  }
  try {
    certificate = new X509Certificate(read(certFile, 'signing certificate'));
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `${certFile} is not a readable X.509 certificate`, { file: certFile }, { cause: err });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `${certFile} does not belong to the key ${keyFile}`, { file: certFile });
  }
  return { privateKey, certificate };
}
