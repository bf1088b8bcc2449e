// Our sender identity on the e-government gateway and how our envelopes are signed: from the instance's configuration, never from a document.
import type { PartnerContext, PartnerInstance } from '../../src/partners/kit.js';
import { soap11, type Sender } from './channel-messages.js';
import { shepErrors } from './errors.js';

/**
 * The sender id and password of the instance (options `senderId`, and `password` by environment only).
 * @throws GatewayError GW_ERR_SHEP_NOT_CONFIGURED without a sender id.
 */
export function senderOf(instance: Pick<PartnerInstance, 'partner' | 'options'>): Sender {
  const senderId = instance.options.senderId?.trim();
  if (!senderId) throw shepErrors.error('GW_ERR_SHEP_NOT_CONFIGURED', `partner ${instance.partner} has no option senderId (the system id the e-government gateway registry issued)`);
  const password = instance.options.password;
  return { senderId, ...(password ? { password } : {}) };
}

/**
 * A SOAP 1.1 envelope around the Body content, signed by the instance's envelope signing profile
 * (option `envelopeSigning`: `ws-security` with RSA by default; a GOST profile registered by a plugin
 * adapter is named the same way, and keeps the Envelope's context namespaces). Built for one call and
 * never logged: it carries the credentials.
 */
export function signedEnvelope(body: Parameters<typeof soap11>[0], context: PartnerContext, contextNamespaces?: Readonly<Record<string, string>>): Buffer {
  return context.sign(context.options.envelopeSigning || 'ws-security', soap11(body, contextNamespaces));
}
