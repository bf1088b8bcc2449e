// Russian Federal Customs Service adapter: transit notifications in an EAEU-style routing envelope, XMLDSig-signed.
import { definePartner } from '../../src/partners/partner-definition.js';

export default definePartner({
  id: 'ru-fcs',
  name: 'Federal Customs Service of Russia (FTS)',
  messages: {
    'transit-notification': {
      description: 'Notification of a transit event (departure, border crossing, arrival, TIR termination) for goods that left Russia',
      codec: 'xml',
      signing: 'xmldsig',
      schema: 'transit-notification.schema.json',
    },
  },
});
