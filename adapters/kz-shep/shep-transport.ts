// The adapter's transport: uploads a document's files one by one, then posts the sendMessage naming them; the first answer that is not an upload's success is the attempt's answer.
import { childElement, childText, defineTransport, parseSoapEnvelope, type AttemptResult, type TransportChannel } from '../../src/partners/kit.js';
import { readSyncAnswer } from './channel-messages.js';
import { SHEP_TRANSPORT, TEMP_FILES_NS, type ShepSendRequest } from './outbound-request.js';

/** SOAP 1.1 document/literal with SOAPAction "" on every operation (the WSDL bindings). */
const HEADERS = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' };

/** The status SyncChannel answers a processed request with. */
export const SYNC_SUCCESS = 'SCSS001';

/** The file identifier of a successful upload's answer, or undefined (then the answer itself goes to the classifier). */
export function fileIdentifierOf(result: AttemptResult): string | undefined {
  if (result.kind !== 'response' || result.status !== 200) return undefined;
  try {
    const answer = readSyncAnswer(parseSoapEnvelope(result.body, '1.1').body);
    const response = answer.status.code === SYNC_SUCCESS ? childElement(answer.data, TEMP_FILES_NS, 'TempStorageResponse') : undefined;
    return (response && childText(response, '', 'fileIdentifier')?.trim()) || undefined;
  } catch {
    return undefined;
  }
}

async function post(channel: TransportChannel, url: string, body: Buffer): Promise<AttemptResult> {
  return channel.http.send(url, { method: 'POST', path: '', headers: HEADERS, body }, channel.timeoutMs, channel.maxResponseBytes);
}

/** Carries a {@link ShepSendRequest}: the uploads, then the sendMessage to the AsyncChannel URL. */
export const shepTransport = defineTransport({
  name: SHEP_TRANSPORT,
  description: "the e-government gateway's AsyncChannel: files uploaded to the temporary file service (SyncChannel), then sendMessage",
  async send(request, channel) {
    const shep = request as ShepSendRequest;
    const identifiers: string[] = [];
    let spentMs = 0;
    for (const upload of shep.uploads) {
      const result = await post(channel, shep.uploadUrl, upload);
      spentMs += result.durationMs;
      const identifier = fileIdentifierOf(result);
      if (identifier === undefined) return { ...result, durationMs: spentMs };
      identifiers.push(identifier);
    }
    const result = await post(channel, channel.url, shep.envelope(identifiers));
    return { ...result, durationMs: spentMs + result.durationMs };
  },
});

