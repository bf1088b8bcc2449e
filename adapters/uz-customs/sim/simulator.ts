// Uzbekistan's customs as the gateway meets it: opens each DEC's CMS with our pinned certificate, checks what the agreement needs of it, keeps it, and answers a WCO RES in CMS signed with its own key; pushes its own DECs to us; and its AS2 side (profile edifact).
import { buildCmsSignedData, childElement, childElements, childText, defineSimulator, GatewayError, parseXml, startSimulatorServer, verifyCmsSignedData, type HandledRequest, type InjectedFault, type SimulatorRequest, type XmlContent } from '../../../src/partners/kit.js';
import { readResponse, renderResponse, WCO, wcoDateTime, type WcoResponse } from '../wco-response.js';
import { as2Pusher } from './as2-pusher.js';
import { as2Receiver, as2SimState, UZ_PARTIES, type As2SimState } from './as2-receiver.js';
import { uzbekCusdec, type UzbekCusdecCommand } from './uzbek-cusdec.js';
import { uzbekDec, type UzbekDecCommand } from './uzbek-dec.js';

/** What the simulated receiver keeps: the DECs it registered, by FunctionalReferenceID, and its AS2 side's (profile edifact). */
export interface UzSimState extends As2SimState {
  declarations: Map<string, { typeCode: string; functionCode: string; registrationId: string; items: number }>;
}

/** Declaration types the profile knows: pre-lodged export and import, and transit (README). */
const TYPES = new Set(['EXD', 'IMD', 'TRD']);

/** What is wrong with a DEC, as the receiver sees it (each with a validation code of ours), or nothing. */
function decProblems(meta: XmlContent | undefined): Array<{ code: string; description: string }> {
  const declaration = meta && childElement(meta, WCO.dec, 'Declaration');
  if (!declaration) return [{ code: 'UZ-STRUC', description: 'no WCO DEC Declaration in a DocumentMetaData MetaData' }];
  const text = (name: string): string => childText(declaration, WCO.dec, name)?.trim() ?? '';
  const problems: Array<{ code: string; description: string }> = [];
  if (!text('FunctionalReferenceID')) problems.push({ code: 'UZ-REF', description: 'FunctionalReferenceID is missing' });
  if (!['9', '13'].includes(text('FunctionCode'))) problems.push({ code: 'UZ-FUNC', description: `FunctionCode "${text('FunctionCode')}" is not 9 (original) or 13 (amendment)` });
  if (!TYPES.has(text('TypeCode'))) problems.push({ code: 'UZ-TYPE', description: `TypeCode "${text('TypeCode')}" is not EXD, IMD or TRD` });
  const shipment = childElement(declaration, WCO.dec, 'GoodsShipment');
  const items = shipment ? childElements(shipment, WCO.dec, 'GovernmentAgencyGoodsItem').length : 0;
  if (String(items) !== text('GoodsItemQuantity')) problems.push({ code: 'UZ-ITEMS', description: `GoodsItemQuantity ${text('GoodsItemQuantity')} but ${items} goods items` });
  return problems;
}

export default defineSimulator({
  start(context) {
    const state: UzSimState = { declarations: new Map(), ...as2SimState() };
    const pusher = as2Pusher(context, { as2From: UZ_PARTIES.sender, as2To: UZ_PARTIES.recipient }, state.pushed);
    const as2 = as2Receiver(context, state, pusher);
    let lastCusdec: Buffer | undefined;
    let serial = 0;
    let lastPush: Buffer | undefined;

    /** DECs in CMS at /declarations (profile default); AS2 messages, whatever the path (profile edifact). */
    function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
      if (request.headers['as2-version'] !== undefined) return as2(request, fault);
      if (request.path === '/declarations') return handleDec(request, fault);
      return { received: { messageId: '', valid: false, problems: [`no service at ${request.path}`], document: '' }, response: { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('not found') } };
    }

    function handleDec(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
      const now = new Date();
      const messageId = String(request.headers['x-message-id'] ?? '');
      let xml = '';
      let response: WcoResponse;
      const rejected = (errors: Array<{ code: string; description: string }>, reference = 'unknown'): WcoResponse => ({ functionCode: '03', responseId: `UZ-RES-${++serial}`, issuedAt: wcoDateTime(now), declarationReference: reference, errors });
      try {
        xml = verifyCmsSignedData(request.body, context.gatewayCertificates).content.toString('utf8');
        const meta = childElement(parseXml(xml), WCO.metaData, 'MetaData');
        const declaration = meta && childElement(meta, WCO.dec, 'Declaration');
        const reference = (declaration && childText(declaration, WCO.dec, 'FunctionalReferenceID')?.trim()) || 'unknown';
        const problems = decProblems(meta);
        if (problems.length > 0) {
          response = rejected(problems, reference);
        } else {
          const text = (name: string): string => childText(declaration!, WCO.dec, name)?.trim() ?? '';
          const known = state.declarations.get(reference);
          const registrationId = known?.registrationId ?? `UZ${now.toISOString().slice(0, 10).replace(/-/g, '')}${String(++serial).padStart(6, '0')}`;
          state.declarations.set(reference, { typeCode: text('TypeCode'), functionCode: text('FunctionCode'), registrationId, items: Number(text('GoodsItemQuantity')) });
          response = { functionCode: '01', responseId: `UZ-RES-${++serial}`, issuedAt: wcoDateTime(now), declarationReference: reference, registrationId, errors: [] };
        }
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        response = rejected([{ code: err.code.startsWith('GW_ERR_SIGNATURE') ? 'UZ-SIGN' : 'UZ-STRUC', description: err.message }]);
      }
      if (fault?.kind === 'partner-error') response = { ...response, functionCode: fault.code, errors: [{ code: 'UZ-SIMUL', description: `simulated RES ${fault.code}` }] };
      return {
        received: { messageId, valid: response.functionCode === '01', problems: response.errors.map((e) => `${e.code}: ${e.description}`), document: xml },
        response: { status: 200, headers: { 'content-type': 'application/pkcs7-mime; smime-type=signed-data' }, body: buildCmsSignedData(renderResponse(response, 'UZ'), context.identity, { detached: false }) },
      };
    }

    const controls = {
      badMic: () => void state.badMicNext++,
      unsignedMdn: () => void state.unsignedMdnNext++,
      contrlReject: () => void state.contrlRejectNext++,
      cusresReject: () => void state.cusresRejectNext++,
      silent: () => void state.silentNext++,
      duplicateNext: () => void state.duplicateNext++,
      timing: (command: unknown) => Object.assign(state.timing, command as Partial<As2SimState['timing']>),
      // Uzbekistan sends us one of its CUSDECs over AS2 (profile edifact): the HTTP status and our MDN as read with our pinned certificate.
      // `repeat`: the last CUSDEC's bytes again; `as2From`: another AS2 name as sender.
      pushCusdec: async (command: unknown) => {
        const c = command as UzbekCusdecCommand & { repeat?: boolean; as2From?: string };
        const interchange = c.repeat && lastCusdec ? lastCusdec : uzbekCusdec(c);
        lastCusdec = interchange;
        const result = await pusher.push('cusdec', c.interchange, interchange, c.as2From ? { as2From: c.as2From } : {});
        return { status: result.status, body: result.body, mdnContentType: result.raw?.contentType, mdnBody: result.raw?.body, mdn: result.mdn && { disposition: result.mdn.disposition, signed: result.mdn.signed, verified: result.mdn.verified, micMatches: result.mdn.micMatches, problems: result.mdn.problems } };
      },
      // Uzbekistan sends us one of its DECs in CMS signed with its key: the gateway's RES as it came (base64), and what it says once opened with our pinned certificate.
      // `repeat`: the last push's exact bytes again (a retry after a lost answer); `cms`: a test's own CMS (base64, another signer);
      // `asXml`: the DEC as plain XML, which the profile does not take.
      pushDec: async (command: unknown) => {
        const c = command as UzbekDecCommand & { repeat?: boolean; cms?: string; asXml?: boolean };
        if (c.asXml) return { status: (await context.pushToGateway({ contentType: 'application/xml', body: uzbekDec(c) })).status, body: '' };
        const body = c.repeat && lastPush ? lastPush : c.cms !== undefined ? Buffer.from(c.cms, 'base64') : buildCmsSignedData(uzbekDec(c), context.identity, { detached: false });
        lastPush = body;
        const answer = await context.pushToGateway({ contentType: 'application/pkcs7-mime; smime-type=signed-data', body });
        let res: WcoResponse | undefined;
        try {
          res = readResponse(parseXml(verifyCmsSignedData(answer.body, context.gatewayCertificates).content));
        } catch {
          res = undefined;
        }
        return { status: answer.status, body: answer.body.toString('base64'), res, gatewayCertificate: context.gatewayCertificates[0]?.toString() ?? '' };
      },
    };
    return startSimulatorServer({ partner: context.partner, path: '/', subpaths: true, handle, controls }, context.listen).then((sim) => Object.assign(sim, { state }));
  },
});
