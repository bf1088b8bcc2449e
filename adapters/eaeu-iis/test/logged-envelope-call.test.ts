// A delivery's SOAP version and Action read from our logged envelope's bytes: the same as parsing its Header, for every message we send, and a parse whenever the bytes are in another shape.
import { describe, expect, it } from 'vitest';
import { GatewayError, ownSoapEnvelopeHead, type SoapVersion } from '../../../src/partners/kit.js';
import { buildAction, readHeaders, uuidUrn } from '../iis-headers.js';
import { loggedSoapCall, renderedSoapCall } from '../logged-envelope-call.js';
import { wrapOutbound } from '../outbound-envelope.js';
import { messageTypeOf, shippedProcesses } from '../process-table.js';
import { replyEnvelope, type Reply } from '../reply-envelope.js';

const table = shippedProcesses();
const A = '6f1d1e1a-6c2b-4f43-9d59-0c1b2a3d4e5f';
const B = '0b7c2e8d-3f4a-5b6c-8d9e-0f1a2b3c4d5e';
const DOCUMENT = Buffer.from('<x:Doc xmlns:x="urn:test:doc"><x:Note>wsa:Action &lt;/soap:Header&gt;</x:Note></x:Doc>');

function instance(version: SoapVersion) {
  return { partner: 'eaeu-ru', adapter: 'eaeu-iis', participants: { member: 'RU', us: 'KZ' }, options: { soapVersion: version } };
}

/** Every request we open a transaction with, in both SOAP versions. */
function requests(): Buffer[] {
  return (['1.2', '1.1'] as const).flatMap((version) =>
    table.requests().map((route) =>
      wrapOutbound(table, { messageType: messageTypeOf(route.message), document: DOCUMENT, businessKeys: { messageId: A, procedureId: A, conversationId: B } }, instance(version)),
    ),
  );
}

/** Our signals and answers to a member's message of every process that has an answer. */
function replies(): Buffer[] {
  const kinds: Reply[] = [{ kind: 'received' }, { kind: 'accepted' }, { kind: 'answer', resultCode: '0' }];
  return table.requests().flatMap((route) => {
    const headers = { messageId: uuidUrn(B), to: `EAEU://KZ/CP/${route.process}/${route.participant}`, replyTo: `EAEU://RU/CP/${route.process}/${route.participant}`, action: { process: route.process, version: route.version, procedure: route.procedure, transaction: route.transaction.code, message: route.message }, procedureId: A, conversationId: uuidUrn(A) };
    return kinds
      .filter((reply) => reply.kind !== 'answer' || route.transaction.answer)
      .map((reply) => replyEnvelope(table, { version: '1.2', headers, route, edocId: undefined }, reply, uuidUrn(A), new Date(0)));
  });
}

/** What parsing the envelope's Header says. */
function parsed(envelope: Buffer): { version: SoapVersion; action: string } {
  const { version, header } = ownSoapEnvelopeHead(envelope);
  return { version, action: buildAction(readHeaders(header, false).action) };
}

describe('the SOAP call of a logged envelope', () => {
  it('is read from the rendered bytes, the same as a parse of the Header, for every request and reply in both versions', () => {
    const envelopes = [...requests(), ...replies()];
    expect(envelopes.length).toBeGreaterThan(2 * table.requests().length);
    for (const envelope of envelopes) {
      const fast = renderedSoapCall(envelope);
      expect(fast).toBeDefined();
      expect(fast).toEqual(parsed(envelope));
    }
    expect(new Set(envelopes.map((e) => renderedSoapCall(e)!.version))).toEqual(new Set(['1.1', '1.2']));
  });

  it('with our signature as the Header\'s last block, still reads the Action', () => {
    const envelope = requests()[0]!;
    const signed = Buffer.from(
      envelope.toString().replace('</soap:Header>', '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature></soap:Header>'),
    );
    expect(renderedSoapCall(signed)).toEqual(parsed(envelope));
  });

  it('is parsed when the bytes are in another shape: other prefixes, the namespace declared on the Header, no Action before the Header ends, or two Actions', () => {
    const envelope = requests()[0]!.toString();
    const reshaped = [
      envelope.replaceAll('soap:', 'env:').replace('xmlns:soap=', 'xmlns:env='),
      envelope.replaceAll(' xmlns:wsa="http://www.w3.org/2005/08/addressing"', '').replace('<soap:Header>', '<soap:Header xmlns:wsa="http://www.w3.org/2005/08/addressing">'),
      envelope.replaceAll('wsa:Action', 'a:Action').replace('xmlns:wsa="http://www.w3.org/2005/08/addressing">int', 'xmlns:a="http://www.w3.org/2005/08/addressing">int'),
    ];
    for (const text of reshaped) {
      const bytes = Buffer.from(text);
      expect(renderedSoapCall(bytes)).toBeUndefined();
      expect(loggedSoapCall(bytes)).toEqual(parsed(Buffer.from(envelope)));
    }
    const action = /<wsa:Action [^>]*>[^<]*<\/wsa:Action>/.exec(envelope)![0];
    const twice = Buffer.from(envelope.replace(action, action + action));
    expect(renderedSoapCall(twice)).toBeUndefined();
    expect(() => loggedSoapCall(twice)).toThrow(GatewayError);
    const afterHeader = Buffer.from(envelope.replace(action, '').replace('<soap:Body>', `<soap:Body>${action}`));
    expect(renderedSoapCall(afterHeader)).toBeUndefined();
    expect(() => loggedSoapCall(afterHeader)).toThrow(/Action/);
  });

  it('leaves an Action written otherwise to the parse: spaces and character references are read, one outside the grammar refused with GW_ERR_EAEU_HEADER', () => {
    const envelope = requests()[0]!.toString();
    const action = /int:\/\/CP\/[^<]*/.exec(envelope)![0];
    for (const written of [`\n  ${action}\n`, action.replace('P.CP.01', 'P&#46;CP.01')]) {
      const bytes = Buffer.from(envelope.replace(action, written));
      expect(renderedSoapCall(bytes)).toBeUndefined();
      expect(loggedSoapCall(bytes)).toEqual(parsed(Buffer.from(envelope)));
    }
    const outside = Buffer.from(envelope.replace(action, 'int://CP/P.CP.01/1.0.0/only-three'));
    expect(renderedSoapCall(outside)).toBeUndefined();
    expect(() => loggedSoapCall(outside)).toThrow(expect.objectContaining({ code: 'GW_ERR_EAEU_HEADER' }));
  });
});
