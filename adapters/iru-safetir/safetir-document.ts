// What the adapter writes into a SafeTIR document before it is logged: the configured SubscriberID, and free text IRU can store.
import { GatewayError, type DocumentToWrap, type PartnerInstance, type XmlContent } from '../../src/partners/kit.js';
import { subscriberOf } from './rts-classic-call.js';
import { withSubscriber } from './upload-document.js';
import { toWindows1252 } from './windows-1252-text.js';

/** Free-text record attributes and their lengths in SafeTIRUpload.xsd, which IRU's back end stores in Windows-1252. */
const TEXT_ATTRIBUTES: Readonly<Record<string, number>> = { COM: 126, CNL: 255, RND: 255, COF: 255 };

/**
 * A record's free text as IRU can store it (windows-1252-text.ts: transliterated, IRU's delimiters
 * broken up, cut to length with an ellipsis when the Latin spelling is longer).
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID at the attribute, for a character with no Windows-1252 form.
 */
function storableByIru(record: XmlContent, index: number): XmlContent {
  const out: XmlContent = { ...record };
  for (const [name, maxLength] of Object.entries(TEXT_ATTRIBUTES)) {
    const value = record[`@${name}`];
    if (typeof value !== 'string') continue;
    const result = toWindows1252(value, maxLength);
    if (!result.ok) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `IRU stores ${name} in Windows-1252: ${result.problem}`, { pointer: `/SafeTIR/Body/SafeTIRRecords/Record/${index}/@${name}` });
    out[`@${name}`] = result.text;
  }
  return out;
}

/**
 * The adapter's envelope hook, before the document is logged: the configured SubscriberID (the mapping
 * does not name it) and free text IRU can store. The log keeps the CAIS record with the original text.
 */
export function prepareSafetirDocument(message: DocumentToWrap, instance: PartnerInstance): Buffer {
  return withSubscriber(message.document, subscriberOf(instance), { editRecord: storableByIru });
}

