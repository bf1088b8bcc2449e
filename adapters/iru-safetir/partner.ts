// IRU Real-Time SafeTIR adapter: the SafeTIR termination upload (WSST payload) that IRU receives from customs.
import { definePartner } from '../../src/partners/partner-definition.js';

export default definePartner({
  id: 'iru-safetir',
  name: 'IRU Real-Time SafeTIR',
  messages: {
    'safetir-upload': {
      description: 'SafeTIR document (namespace http://www.iru.org/SafeTIRUpload): one Record per TIR termination',
      codec: 'xml',
      // Classic RTS protects the payload with its own envelope (3DES session key wrapped for IRU), not XMLDSig.
      signing: 'none',
      schema: 'safetir-upload.schema.json',
    },
  },
});
