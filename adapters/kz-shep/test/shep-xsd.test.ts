// The e-government gateway's published SyncChannel/AsyncChannel v10 XSDs, run by xmllint through egov-driver.xsd, are the oracle for every Body we and the simulator write.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSoapEnvelope, renderXml, type XmlContent } from '../../../src/partners/kit.js';
import { REFERENCE_DIR } from '../../../test/support/project.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { asyncSendMessage, getMessageStatus, readFaultErrorInfo, syncSendMessage, type MessageState } from '../channel-messages.js';
import type { ErrorInfo } from '../error-info.js';
import { errorFault, errorFaultDetail, type FaultOperation } from '../channel-faults.js';
import { asyncAcceptance, changeStatusNotification, messageStatusAnswer, syncAnswer } from '../sim/channel-answers.js';

const DRIVER = join(import.meta.dirname, 'egov-driver.xsd');
const WSDL_DIR = join(REFERENCE_DIR, 'egov-kz', 'wsdl');
const skip = skipWithout('e-government gateway XSD validation', {
  tools: ['xmllint'],
  files: [join(WSDL_DIR, 'SyncChannel', 'v10', 'types', 'ISyncChannel.xsd'), join(WSDL_DIR, 'AsyncChannel', 'v10', 'Types', 'IAsyncChannel.xsd')],
});

const AT = new Date('2025-03-14T09:26:53.589Z');
const SENDER = { senderId: 'KZ_CUSTOMS_GW', password: 'not-a-real-password' };
const SESSION = '{0f8fad5b-d9cb-469f-a165-70867728950e}';

/** Two levels: the gateway's own error, and the receiving agency's under it. */
const NESTED_ERROR: ErrorInfo = {
  errorCode: 'SE_DELIVERY',
  errorMessage: 'Message could not be delivered to the receiver',
  errorData: 'receiver answered with a fault',
  errorDate: AT.toISOString(),
  subError: { errorCode: 'AGENCY-042', errorMessage: 'Declaration not found', errorDate: AT.toISOString(), sessionId: SESSION },
  sessionId: SESSION,
};

/** Only the wrapper element is qualified; the business payload of a `data` is the receiver's format (xs:anyType). */
const PAYLOAD: XmlContent = { 'd:declarationQuery': { '@xmlns:d': 'urn:example:declaration', number: '50101/140325/0001234' } };

describe.skipIf(skip)('e-government gateway Bodies against the published XSDs (xmllint, egov-driver.xsd)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-shep-xsd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;

  /** xmllint over the wrapper element alone: passes or fails with its messages. */
  function validate(wrapper: XmlContent): { ok: boolean; output: string } {
    const file = join(dir, `doc-${++files}.xml`);
    writeFileSync(file, renderXml(wrapper));
    try {
      const output = execFileSync('xmllint', ['--noout', '--schema', DRIVER, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { ok: true, output };
    } catch (e) {
      const failure = e as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
    }
  }

  const syncRequest = (): XmlContent =>
    syncSendMessage({
      messageId: 'a1b2c3d4-0001',
      correlationId: 'chain-0001',
      serviceId: 'KGD_DECLARATION_STATUS',
      messageDate: AT,
      sender: SENDER,
      properties: [
        { key: 'lang', value: 'ru' },
        { key: 'region', value: '75' },
      ],
      data: PAYLOAD,
    });

  const valid: Array<[string, () => XmlContent]> = [
    ['a sync SendMessage with properties and a password', syncRequest],
    [
      'an async sendMessage NOTIFICATION with its correlationId',
      () => asyncSendMessage({ serviceId: 'KGD_TRANSIT_EVENTS', messageType: 'NOTIFICATION', correlationId: 'shep-chain-77', messageDate: AT, sender: SENDER, data: PAYLOAD }),
    ],
    ['a getMessageStatus', () => getMessageStatus('shep-msg-9001', AT, SENDER)],
    [
      'the simulator\'s SendMessageResponse',
      () => syncAnswer({ messageId: 'agency-555', correlationId: 'chain-0001', responseDate: AT, status: { code: 'SCSS001', message: 'Message has been processed successfully' }, data: PAYLOAD }),
    ],
    ['the simulator\'s sendMessageResponse (acceptance)', () => asyncAcceptance({ messageId: 'shep-msg-9001', correlationId: 'shep-chain-77', responseDate: AT })],
    [
      'the simulator\'s getMessageStatusResponse',
      () => messageStatusAnswer({ messageState: 'DELIVERED', statusCode: 'DELIVERED', statusMessage: 'Delivered to the receiver', statusDate: AT, responseDate: AT }),
    ],
    [
      'the simulator\'s changeMassageStatusNotification with a nested error',
      () =>
        changeStatusNotification({
          notificationId: 'ntf-1',
          messageId: 'shep-msg-9001',
          notificationDate: AT,
          messageState: 'NOT_DELIVERED',
          statusCode: 'NOT_DELIVERED',
          statusMessage: 'Receiver refused the message',
          statusDate: AT,
          error: NESTED_ERROR,
          requestDate: AT,
        }),
    ],
    ...(['SendMessage', 'sendMessage', 'getMessageStatus'] as const).map(
      (op): [string, () => XmlContent] => [`the ${op} fault detail with a two-level ErrorInfo`, () => errorFaultDetail(op, NESTED_ERROR)],
    ),
  ];

  it.each(valid)('%s validates', (_name, build) => {
    const result = validate(build());
    expect(result.ok, result.output).toBe(true);
  });

  it.each(['SendMessage', 'sendMessage', 'getMessageStatus'] as const)('errorFault(%s) carries exactly errorFaultDetail in its detail', (op: FaultOperation) => {
    const xml = errorFault(op, NESTED_ERROR).toString('utf8');
    const detail = renderXml(errorFaultDetail(op, NESTED_ERROR)).toString('utf8');
    expect(xml).toContain(`<detail>${detail}</detail>`);
    expect(xml).toContain('<faultcode>soap:Server</faultcode>');
  });

  it('the oracle can fail: a SendMessage without serviceId', () => {
    const request = syncRequest();
    const info = ((request['sync:SendMessage'] as XmlContent).request as XmlContent).requestInfo as XmlContent;
    delete info.serviceId;
    const result = validate(request);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/messageDate.*not expected.*serviceId/s);
  });

  it('the oracle can fail: a getMessageStatusResponse with messageState LOST', () => {
    const answer = messageStatusAnswer({ messageState: 'LOST' as unknown as MessageState, statusCode: 'X', statusMessage: 'x', statusDate: AT, responseDate: AT });
    const result = validate(answer);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/LOST.*not an element of the set/s);
  });

  it('the oracle can fail: an ErrorInfo without errorDate', () => {
    const detail = errorFaultDetail('getMessageStatus', { ...NESTED_ERROR, subError: undefined, sessionId: undefined });
    delete (detail['async:getMessageStatusFault1_getMessageStatusFault'] as XmlContent).errorDate;
    const result = validate(detail);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/errorDate/);
  });

  it('the oracle can fail: a sessionId guid without curly braces', () => {
    const result = validate(errorFaultDetail('SendMessage', { ...NESTED_ERROR, sessionId: SESSION.slice(1, -1) }));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/sessionId.*pattern/s);
  });
});

describe('ErrorInfo faults read back', () => {
  it.each(['SendMessage', 'sendMessage', 'getMessageStatus'] as const)('readFaultErrorInfo reads the whole chain of an errorFault(%s)', (op) => {
    const message = parseSoapEnvelope(errorFault(op, NESTED_ERROR));
    expect(message.version).toBe('1.1');
    expect(message.fault).toMatchObject({ kind: 'Server', message: NESTED_ERROR.errorMessage });
    expect(readFaultErrorInfo(message.body)).toEqual(NESTED_ERROR);
  });
});
