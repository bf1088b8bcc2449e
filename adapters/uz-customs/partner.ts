// Uzbekistan's customs: advance cargo and transit information as WCO Data Model DEC documents in CMS SignedData answered by signed WCO RES documents, or (profile edifact) as CUSDEC over AS2 answered by MDN, CONTRL and CUSRES.
import { definePartner } from '../../src/partners/kit.js';
import { GRAMMARS } from './edifact-acknowledgements.js';
import { RES_CODES } from './codes.js';
import { uzInbound } from './inbound.js';
import { classifyMdn, MDN_CODES } from './mdn.js';
import { classifyResponse } from './wco-response.js';

export default definePartner({
  id: 'uz-customs',
  name: "Uzbekistan's customs (advance cargo and transit information in the customs data model of the World Customs Organization)",
  messages: {
    dec: {
      description: 'a WCO Data Model 3.6 DEC (advance cargo information of a cargo declaration, or advance transit information) in its MetaData, as CMS SignedData around the unaltered XML',
      codec: 'xml',
      signing: 'cms',
      // What the WCO schema limits of the values mappings take from records (names an..70, ids an..17 …): refused before sending.
      schema: 'dec.schema.json',
      profiles: ['default'],
    },
    cusdec: {
      description: 'the same advance information as a UN/EDIFACT D.96B CUSDEC interchange of our bilateral MIG (association ZZZ01), checked against its segment table, sent over AS2',
      codec: 'edifact',
      codecOptions: { grammars: [GRAMMARS.cusdec] },
      // Names and descriptions that NAD and FTX cannot carry are refused, never cut.
      schema: 'cusdec.schema.json',
      // AS2 signs the interchange as S/MIME when it sends it.
      signing: 'none',
      // UNB 0020: no two records' interchanges may share a control reference (a resend of one is the same interchange).
      uniqueKeys: ['interchange'],
      profiles: ['edifact'],
    },
    contrl: {
      description: "our syntax report (CONTRL) on one of Uzbekistan's CUSDEC interchanges, sent over AS2 after our MDN: action 7, or 4 with the syntax error",
      codec: 'edifact',
      signing: 'none',
      profiles: ['edifact'],
    },
    cusres: {
      description: "our customs response (CUSRES, BGM 962) to one of Uzbekistan's CUSDECs, sent over AS2 after the CONTRL: 29 registered, or 27 with our validation code",
      codec: 'edifact',
      signing: 'none',
      profiles: ['edifact'],
    },
  },
  options: {
    syntax: {
      description: 'profile edifact: the character set of the agreement for interchanges both ways (UNB S001): UNOC (ISO 8859-1, syntax version 3), or UNOW / UNOY (UTF-8, syntax version 4) where the agreement says so; text the set cannot carry is refused, never transliterated',
      default: 'UNOC',
      values: ['UNOC', 'UNOW', 'UNOY'],
    },
    as2Encrypt: {
      description: "profile edifact: encrypt our AS2 messages for Uzbekistan's certificate (S/MIME enveloped data, AES-256-CBC, RSAES-OAEP SHA-256) where the agreement says so; encrypted messages from Uzbekistan are opened either way",
      default: 'no',
      values: ['no', 'yes'],
    },
    contrlWithinMs: { description: "profile edifact: how long after Uzbekistan's MDN its CONTRL may take before the CUSDEC is sent again (once), then handed to a person", default: String(60 * 60_000) },
    cusresWithinMs: { description: 'profile edifact: how long after the CONTRL its CUSRES may take, as contrlWithinMs', default: String(24 * 60 * 60_000) },
  },
  // Profile edifact: a CUSDEC's MDN is the transport's word; Uzbekistan's CONTRL (syntax) and CUSRES (customs) follow, and the latest decides.
  acknowledgementPlan: (message, context) =>
    message.messageType === 'cusdec'
      ? {
          stages: [
            { stage: 'accepted', name: 'CONTRL', withinMs: Number(context.options.contrlWithinMs) },
            { stage: 'answered', name: 'CUSRES', withinMs: Number(context.options.cusresWithinMs) },
          ],
          repeats: 1,
        }
      : undefined,
  participants: {
    reporter: 'our country code (KZ): the DEC names it as responsible country',
    partner: "the partner's country code (UZ): its DECs must name it as responsible country",
    as2From: 'our AS2 name (profile edifact)',
    as2To: "Uzbekistan's AS2 name (profile edifact)",
  },
  inbound: uzInbound,
  transport: {
    timeoutMs: 30_000,
    concurrency: 4,
    buildRequest: (message) => ({ method: 'POST', path: '/declarations', headers: { 'content-type': 'application/pkcs7-mime; smime-type=signed-data', 'x-message-id': message.id }, body: message.payload }),
  },
  classify: classifyResponse,
  codes: RES_CODES,
  // The WCO Data Model profile is the main one: `profile: wco-dm` names it, as `default` does.
  defaultProfile: 'wco-dm',
  profiles: {
    // UN/EDIFACT CUSDEC over AS2 (RFC 4130) with a signed synchronous MDN, for a partner whose systems speak EDIFACT.
    edifact: {
      transport: {
        kind: 'as2',
        timeoutMs: 30_000,
        concurrency: 4,
        buildRequest: (message, context) => ({
          transport: 'as2',
          content: message.payload,
          contentType: 'application/EDIFACT',
          fileName: `${message.id}.edi`,
          subject: `${message.messageType.toUpperCase()} ${message.id}`,
          messageId: message.id,
          encrypt: context.options.as2Encrypt === 'yes',
        }),
      },
      classify: classifyMdn,
      codes: MDN_CODES,
    },
  },
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000], jitter: 0.2, maxAttempts: 6 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
});
