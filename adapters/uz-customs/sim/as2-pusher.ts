// Uzbekistan's AS2 system sending to the gateway: an EDIFACT interchange signed as S/MIME with its key, pushed over mutual TLS, and the gateway's MDN read against the gateway's certificate.
import { randomUUID } from 'node:crypto';
import { buildAs2Message, readAs2Mdn, type As2Receipt, type SimulatorContext } from '../../../src/partners/kit.js';

/** How one push ended: the HTTP status and the MDN as read (undefined when the answer was no MDN). */
export interface As2PushResult {
  status: number;
  mdn?: As2Receipt;
  /** The answer's body when it was no MDN (a JSON error). */
  body?: string;
  /** The MDN as it came: its Content-Type and body (base64), for an independent check. */
  raw?: { contentType: string; body: string };
}

/** Sends interchanges as Uzbekistan; every CONTRL and CUSRES it sends is noted with how the gateway took it. */
export interface As2Pusher {
  push(type: 'contrl' | 'cusres' | 'cusdec', answers: string, interchange: Buffer, options?: { as2From?: string; signer?: SimulatorContext['identity'] }): Promise<As2PushResult>;
}

/** A pusher noting the outcome of each push of a CONTRL or CUSRES in `pushed`. */
export function as2Pusher(context: Pick<SimulatorContext, 'gatewayCertificates' | 'identity' | 'pushToGateway' | 'options'>, names: { as2From: string; as2To: string }, pushed: Array<{ type: 'contrl' | 'cusres'; answers: string; outcome: string }>): As2Pusher {
  // Uzbekistan encrypts for our certificate when the agreement (the instance's option) says so.
  const encryptFor = context.options.as2Encrypt === 'yes' ? context.gatewayCertificates[0] : undefined;
  return {
    async push(type, answers, interchange, options = {}) {
      const id = `uz-${randomUUID()}`;
      const outgoing = buildAs2Message(
        { transport: 'as2', content: interchange, contentType: 'application/EDIFACT', fileName: `${id}.edi`, subject: `${type.toUpperCase()} ${id}`, messageId: id },
        { as2From: options.as2From ?? names.as2From, as2To: names.as2To },
        options.signer ?? context.identity,
        encryptFor,
      );
      const { 'Content-Type': contentType = '', ...headers } = outgoing.headers;
      let result: As2PushResult;
      try {
        const answer = await context.pushToGateway({ contentType, body: outgoing.body, headers });
        const mdn = readAs2Mdn(answer.headers, answer.body, { messageId: outgoing.messageId, mic: outgoing.mic, trusted: context.gatewayCertificates });
        const raw = { contentType: answer.headers['content-type'] ?? '', body: answer.body.toString('base64') };
        result = mdn ? { status: answer.status, mdn, raw } : { status: answer.status, body: answer.body.toString('utf8') };
      } catch (err) {
        result = { status: 0, body: (err as Error).message };
      }
      if (type !== 'cusdec') pushed.push({ type, answers, outcome: result.mdn?.disposition ?? `HTTP ${result.status}` });
      return result;
    },
  };
}
