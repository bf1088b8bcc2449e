// Pushes as FTS would: transit notifications signed with FTS's development key, the inbound id read from the signed ACCEPTED receipt.
import { join } from 'node:path';
import { readReceipt } from '../../adapters/ru-fcs/receipt.js';
import { buildNotification, type NotificationOptions } from '../../adapters/ru-fcs/sim/notification-builder.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import type { InboundClient } from './inbound-client.js';

/** A transit notification signed with FTS's key from the development PKI in `certsDir`. */
export function signedNotification(certsDir: string, options: NotificationOptions): Buffer {
  const key = loadKeyCapabilities(join(certsDir, 'partners', 'ru-fcs.key.pem'), join(certsDir, 'partners', 'ru-fcs.cert.pem'));
  return createXmlSigner(key).sign(buildNotification(options));
}

/**
 * Pushes a signed notification over FTS's TLS identity and resolves with our inbound id (the receipt id);
 * throws, naming the status and error code, unless the receipt says ACCEPTED.
 */
export async function pushAccepted(client: InboundClient, certsDir: string, options: NotificationOptions): Promise<string> {
  const answer = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body: signedNotification(certsDir, options) });
  const receipt = readReceipt(answer.body);
  if (answer.status !== 200 || receipt?.result !== 'ACCEPTED' || !receipt.receiptId) {
    throw new Error(`push not accepted: HTTP ${answer.status}, ${receipt ? `${receipt.result} ${receipt.errorCode ?? ''}` : answer.body.toString('utf8').slice(0, 200)}`);
  }
  return receipt.receiptId;
}
