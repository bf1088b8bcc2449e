// A translation thread: loads the gateway's setup once, with the mapping texts the server's thread compiled, then validates, maps, renders and signs the records it is handed.
import { workerData } from 'node:worker_threads';
import { loadSoundSetup } from '../setup/load-setup.js';
import { asBuffer, ownBytes } from '../worker-module.js';
import { serveRequests } from '../worker-pool.js';
import { translatorOf } from './build-translator.js';
import type { PreviousPayloadQuestion, TranslatorWorkerData } from './translator-pool.js';
import type { Translation, Translator } from './translator.js';

const { config, mappingFiles } = workerData as TranslatorWorkerData;
const setup = await loadSoundSetup(config, { keys: true, urls: false, mappingFiles });
let translator: Translator | undefined;
serveRequests<unknown, Translation>((value, ask) => {
  // The log is the server's thread's: a superseding partner's previous document is asked for there.
  translator ??= translatorOf(setup, async (record, partner, message) => {
    const question: PreviousPayloadQuestion = { type: record.type, recordId: record.recordId, version: record.version, partner, message };
    const payload = (await ask(question)) as Uint8Array | undefined;
    return payload === undefined ? undefined : asBuffer(payload);
  });
  return translator.translate(value).then((translation) => {
    // Posted in arrays of their own: a small Buffer is a view of a shared pool, which would be copied whole.
    if (translation.ok) for (const document of translation.documents) document.bytes = ownBytes(document.bytes);
    return translation;
  });
});
