// Uzbekistan's customs: advance cargo and transit information as WCO Data Model DEC documents in CMS SignedData, answered by signed WCO RES documents.
import { definePartner } from '../../src/partners/kit.js';
import { RES_CODES } from './codes.js';
import { uzInbound } from './inbound.js';
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
    },
  },
  participants: { reporter: 'our country code (KZ): the DEC names it as responsible country', partner: "the partner's country code (UZ): its DECs must name it as responsible country" },
  inbound: uzInbound,
  transport: {
    timeoutMs: 30_000,
    concurrency: 4,
    buildRequest: (message) => ({ method: 'POST', path: '/declarations', headers: { 'content-type': 'application/pkcs7-mime; smime-type=signed-data', 'x-message-id': message.id }, body: message.payload }),
  },
  classify: classifyResponse,
  codes: RES_CODES,
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000], jitter: 0.2, maxAttempts: 6 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
});
