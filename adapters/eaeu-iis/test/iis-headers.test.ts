// The integrated system's header rules (Decision 5 §28-60): Action grammar, ProcedureID format and nesting, addresses, and what application messages and replies must (not) carry.
import { describe, expect, it } from 'vitest';
import { GatewayError, parseXml, renderXml, type XmlContent } from '../../../src/partners/kit.js';
import { addressOf, buildAction, headerBlocks, isProcedureId, nestedProcedureId, parseAction, parseAddress, readHeaders, uuidUrn, type IisHeaders } from '../iis-headers.js';
import { INT_NS, WSA_NS } from '../namespaces.js';

const A = '6f1d1e1a-6c2b-4f43-9d59-0c1b2a3d4e5f';
const B = '0b7c2e8d-3f4a-5b6c-8d9e-0f1a2b3c4d5e';

const headers: IisHeaders = {
  messageId: uuidUrn(A),
  to: 'EAEU://RU/CP/P.CP.01/P.CP.01.ACT.001',
  replyTo: 'EAEU://KZ/CP/P.CP.01/P.CP.01.ACT.001',
  action: { process: 'P.CP.01', version: '1.0.0', procedure: 'P.CP.01.PRC.001', transaction: 'P.CP.01.TRN.001', message: 'P.CP.01.MSG.010' },
  procedureId: A,
  conversationId: uuidUrn(B),
};

/** The header block as a received message's Header (rendered and parsed again). */
function asReceived(blocks: XmlContent): XmlContent {
  const parsed = parseXml(renderXml({ 'h:Header': { '@xmlns:h': 'urn:test:header', ...blocks } }));
  return parsed['h:Header'] as XmlContent;
}

function code(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return err instanceof GatewayError ? err.message : String(err);
  }
  return 'none';
}

describe('wsa:Action', () => {
  it('is int://CP/ then process, version, procedure, transaction and message, and reads back', () => {
    const action = buildAction(headers.action);
    expect(action).toBe('int://CP/P.CP.01/1.0.0/P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010');
    expect(parseAction(action)).toEqual(headers.action);
    // Decision 5's own example (Appendix 3) follows the same grammar.
    expect(parseAction('int://CP/P.SP.03/0.1/P.SP.03.PRC.001/P.SP.03.TRN.002/P.CC.04.MSG.003').message).toBe('P.CC.04.MSG.003');
  });

  it.each([
    ['no int:// prefix', 'http://CP/P.CP.01/1.0.0/P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010'],
    ['a participant in place of CP', 'int://KZ/P.CP.01/1.0.0/P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010'],
    ['a part missing', 'int://CP/P.CP.01/1.0.0/P.CP.01.PRC.001/P.CP.01.MSG.010'],
    ['a part too many', 'int://CP/P.CP.01/1.0.0/P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010/x'],
    ['an empty part', 'int://CP/P.CP.01//P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010'],
    ['a space', 'int://CP/P.CP.01/1.0 .0/P.CP.01.PRC.001/P.CP.01.TRN.001/P.CP.01.MSG.010'],
  ])('refuses %s', (_what, action) => {
    expect(code(() => parseAction(action))).toMatch(/^GW_ERR_EAEU_HEADER: wsa:Action/);
  });

  it('refuses to build from a part holding a slash', () => {
    expect(code(() => buildAction({ ...headers.action, procedure: 'P.CP.01/PRC.001' }))).toMatch(/^GW_ERR_EAEU_HEADER: Action part procedure/);
  });
});

describe('int:ProcedureID', () => {
  it('is RFC 4122 UUIDs joined by "/", the initiator first; a nested procedure appends its own', () => {
    expect(isProcedureId(A)).toBe(true);
    const nested = nestedProcedureId(A, B);
    expect(nested).toBe(`${A}/${B}`);
    expect(isProcedureId(nested)).toBe(true);
    expect(isProcedureId(nestedProcedureId(nested, A))).toBe(true);
  });

  it.each([
    ['an empty one', ''],
    ['a trailing slash', `${A}/`],
    ['two slashes', `${A}//${B}`],
    ['a non-RFC 4122 variant', '6f1d1e1a-6c2b-4f43-7d59-0c1b2a3d4e5f'],
    ['version 0', '6f1d1e1a-6c2b-0f43-9d59-0c1b2a3d4e5f'],
    ['braces', `{${A}}`],
  ])('refuses %s', (_what, value) => {
    expect(isProcedureId(value)).toBe(false);
    expect(code(() => headerBlocks({ ...headers, procedureId: value }))).toMatch(/^GW_ERR_EAEU_HEADER: int:ProcedureID/);
  });

  it('nests only under a valid ProcedureID and with a UUID', () => {
    expect(code(() => nestedProcedureId('not-a-uuid', B))).toMatch(/GW_ERR_EAEU_HEADER/);
    expect(code(() => nestedProcedureId(A, 'not-a-uuid'))).toMatch(/GW_ERR_EAEU_HEADER/);
  });
});

describe('addresses', () => {
  it('are EAEU://<segment>/CP/<process>/<participant> and read back', () => {
    const address = addressOf({ segment: 'KG', process: 'P.CP.01', participant: 'P.CP.01.ACT.001' });
    expect(address).toBe('EAEU://KG/CP/P.CP.01/P.CP.01.ACT.001');
    expect(parseAddress(address)).toEqual({ segment: 'KG', process: 'P.CP.01', participant: 'P.CP.01.ACT.001' });
    expect(code(() => addressOf({ segment: 'KGZ', process: 'P.CP.01', participant: 'P.CP.01.ACT.001' }))).toMatch(/segment "KGZ"/);
    expect(code(() => parseAddress('int://KG'))).toMatch(/GW_ERR_EAEU_HEADER/);
  });
});

describe('the header block', () => {
  it('writes MessageID, To, ReplyTo, Action, ProcedureID and ConversationID, and no From or FaultTo', () => {
    const block = asReceived(headerBlocks(headers));
    const text = renderXml({ 'h:Header': { '@xmlns:h': 'urn:test:header', ...headerBlocks(headers) } }).toString('utf8');
    expect(text).not.toMatch(/wsa:From|wsa:FaultTo|wsa:RelatesTo/);
    expect(text).toContain(`<int:ProcedureID xmlns:int="${INT_NS}">${A}</int:ProcedureID>`);
    expect(text).toContain(`<wsa:ReplyTo xmlns:wsa="${WSA_NS}"><wsa:Address>EAEU://KZ/CP/P.CP.01/P.CP.01.ACT.001</wsa:Address></wsa:ReplyTo>`);
    expect(readHeaders(block, false)).toEqual(headers);
  });

  it('a reply or signal carries RelatesTo equal to the MessageID it answers; one without it is refused', () => {
    const reply: IisHeaders = { ...headers, messageId: uuidUrn(B), relatesTo: headers.messageId, action: { ...headers.action, message: 'P.MSG.RCV' } };
    expect(readHeaders(asReceived(headerBlocks(reply)), true).relatesTo).toBe(headers.messageId);
    expect(code(() => readHeaders(asReceived(headerBlocks(headers)), true))).toMatch(/no RelatesTo/);
  });

  it.each(['From', 'FaultTo'])('an application message carrying wsa:%s is refused', (name) => {
    const blocks = { ...headerBlocks(headers), [`wsa:${name}`]: { '@xmlns:wsa': WSA_NS, 'wsa:Address': 'EAEU://KZ/CP/P.CP.01/P.CP.01.ACT.001' } };
    expect(code(() => readHeaders(asReceived(blocks), false))).toMatch(new RegExp(`may not carry wsa:${name}`));
  });

  it.each([
    ['MessageID', { 'wsa:MessageID': undefined }, /no MessageID/],
    ['ProcedureID', { 'int:ProcedureID': undefined }, /no ProcedureID/],
    ['ConversationID', { 'int:ConversationID': undefined }, /no ConversationID/],
    ['Action', { 'wsa:Action': undefined }, /no Action/],
  ] as const)('a message without %s is refused', (_what, change, message) => {
    const blocks: XmlContent = { ...headerBlocks(headers) };
    for (const key of Object.keys(change)) delete blocks[key];
    expect(code(() => readHeaders(asReceived(blocks), false))).toMatch(message);
  });

  it('a header given twice is refused', () => {
    const blocks = { ...headerBlocks(headers), 'wsa:MessageID': [{ '@xmlns:wsa': WSA_NS, '#text': uuidUrn(A) }, { '@xmlns:wsa': WSA_NS, '#text': uuidUrn(B) }] };
    expect(code(() => readHeaders(asReceived(blocks), false))).toMatch(/MessageID 2 times/);
  });
});
