// Pushes as Russia's customs would through the EAEU integrated system: its own P.CP.01 message signed with its development key; our inbound id read back from the log.
import { join } from 'node:path';
import { memberPush, type MemberPushOptions } from '../../adapters/eaeu-iis/sim/member-push.js';
import { shippedProcesses } from '../../adapters/eaeu-iis/process-table.js';
import { readTechnologicalError } from '../../adapters/eaeu-iis/technological-errors.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import type { InboundClient } from './inbound-client.js';

/** The pushing member of these tests: the `eaeu-ru` instance of the project's partners file. */
export const MEMBER = 'eaeu-ru';
/** Content type of a SOAP 1.2 push. */
export const SOAP_12 = 'application/soap+xml';

/** What a test says of a push: the document's options; member and receiver default to Russia and Kazakhstan. */
export type PushOptions = Partial<Pick<MemberPushOptions, 'member' | 'us'>> & Omit<MemberPushOptions, 'member' | 'us'>;

/** A P.CP.01.MSG.010 push signed with the key of `signer` (default Russia's) from the development PKI in `certsDir`. */
export function signedPush(certsDir: string, options: PushOptions = {}, signer = MEMBER): { messageId: string; body: Buffer } {
  const key = loadKeyCapabilities(join(certsDir, 'partners', `${signer}.key.pem`), join(certsDir, 'partners', `${signer}.cert.pem`));
  return memberPush(shippedProcesses(), key, { member: 'RU', us: 'KZ', ...options });
}

/** Reads the gateway's API (a running gateway's `api`). */
export type Api = (method: string, path: string) => Promise<{ status: number; body: { items?: Array<{ id: string; direction: string }> } }>;

/** Our inbound id of the member's message `messageId`, from the log (its `partnerMessageId` key). */
export async function inboundIdOf(api: Api, messageId: string, partner = MEMBER): Promise<string> {
  const found = await api('GET', `/v1/messages?partner=${partner}&key=${encodeURIComponent(messageId)}`);
  const inbound = found.body.items?.find((m) => m.direction === 'in');
  if (!inbound) throw new Error(`no inbound message ${messageId} of ${partner} in the log: ${JSON.stringify(found.body)}`);
  return inbound.id;
}

/**
 * Pushes a signed P.CP.01 message over Russia's TLS identity and resolves with our inbound id; throws,
 * with the gateway's answer, unless it took the message (HTTP 202, no technological error).
 */
export async function pushAccepted(client: InboundClient, api: Api, certsDir: string, options: PushOptions = {}): Promise<string> {
  const { messageId, body } = signedPush(certsDir, options);
  const answer = await client.push({ tlsAs: MEMBER, partner: MEMBER, body, contentType: SOAP_12 });
  if (answer.status !== 202) throw new Error(`push not taken: HTTP ${answer.status} ${answer.body.toString('utf8').slice(0, 400)}`);
  return inboundIdOf(api, messageId);
}

/** A refusal as the member reads it: the technological error's subcode, and the GW_ERR code its reason quotes. */
export function readRefusal(body: Buffer): { fault: string; code: string } | undefined {
  const error = readTechnologicalError(body);
  return error ? { fault: error.code, code: /GW_ERR_[A-Z0-9_]+/.exec(error.text)?.[0] ?? '' } : undefined;
}
