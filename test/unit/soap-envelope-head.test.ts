// Reading our own logged SOAP envelope's version and Header without its Body: the same as parsing it whole, for both versions, with or without an XML declaration.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSoapEnvelope, ownSoapEnvelopeHead, parseSoapEnvelope, type SoapVersion } from '../../src/codec/soap-envelope.js';
import { envelopedXmlSigning } from '../../src/security/builtin-signing-profiles.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import { tempDevCertificates } from '../support/project.js';

const WSA = 'http://www.w3.org/2005/08/addressing';
const header = { 'wsa:Action': { '@xmlns:wsa': WSA, '#text': 'int://CP/P.CP.01/1.0.0/P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010' }, 'wsa:MessageID': { '@xmlns:wsa': WSA, '#text': 'urn:uuid:4f1c2a7e-9b3d-4e5f-8a6b-7c8d9e0f1a2b' } };
const body = { 'd:Doc': { '@xmlns:d': 'urn:example:doc', 'd:Line': Array.from({ length: 50 }, (_, i) => ({ '#text': `line ${i}` })) } };

describe('ownSoapEnvelopeHead', () => {
  it.each<SoapVersion>(['1.1', '1.2'])('reads the version and Header of a SOAP %s envelope exactly as parsing it whole does', (version) => {
    const bytes = buildSoapEnvelope({ version, header, body });
    const whole = parseSoapEnvelope(bytes);
    expect(ownSoapEnvelopeHead(bytes)).toEqual({ version: whole.version, header: whole.header });
  });

  it('reads past an XML declaration', () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n'), buildSoapEnvelope({ version: '1.2', header, body })]);
    expect(ownSoapEnvelopeHead(bytes)).toEqual({ version: '1.2', header: parseSoapEnvelope(bytes).header });
  });

  it('does not read the Body: a Body that would not parse does not stop it (the bytes are our own, checked when rendered)', () => {
    const bytes = buildSoapEnvelope({ version: '1.2', header, body });
    const broken = Buffer.from(bytes.toString('utf8').replace('<d:Line>line 3</d:Line>', '<d:Line>line 3</d:Lin>'));
    expect(() => parseSoapEnvelope(broken)).toThrow();
    expect(ownSoapEnvelopeHead(broken).version).toBe('1.2');
  });

  it('leaves out our own signature when it is the last header block, and reads every other block as parsing whole does', () => {
    const certs = tempDevCertificates([]);
    const key = loadKeyCapabilities(join(certs, 'gateway.key.pem'), join(certs, 'gateway.cert.pem'));
    const signed = envelopedXmlSigning('head-test', 'test', 'soap-header').sign(buildSoapEnvelope({ version: '1.2', header, body }), key);
    const whole = parseSoapEnvelope(signed).header!;
    expect(Object.keys(whole)).toContain('ds:Signature');
    const { 'ds:Signature': _signature, ...blocks } = whole;
    expect(ownSoapEnvelopeHead(signed)).toEqual({ version: '1.2', header: blocks });
    // A block after the signature: nothing is left out.
    const notLast = Buffer.from(signed.toString('utf8').replace('</ds:Signature>', '</ds:Signature><wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">x</wsa:To>'));
    expect(ownSoapEnvelopeHead(notLast).header).toEqual(parseSoapEnvelope(notLast).header);
  });

  it('falls back to parsing the whole envelope when there is no Header, and fails as parsing does on what is not an envelope', () => {
    const bytes = buildSoapEnvelope({ version: '1.1', body });
    expect(ownSoapEnvelopeHead(bytes)).toEqual({ version: '1.1' });
    expect(() => ownSoapEnvelopeHead(Buffer.from('<x:Other xmlns:x="urn:x"/>'))).toThrow(expect.objectContaining({ code: 'GW_ERR_XML_MALFORMED' }));
  });
});
