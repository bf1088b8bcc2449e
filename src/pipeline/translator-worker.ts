// A translation thread: loads the gateway's setup once, checks it holds the mapping versions the server's thread runs, then validates, maps, renders and signs the records it is handed.
import { relative } from 'node:path';
import { workerData } from 'node:worker_threads';
import { GatewayError } from '../errors.js';
import { loadSoundSetup } from '../setup/load-setup.js';
import { asBuffer, ownBytes } from '../worker-module.js';
import { serveRequests } from '../worker-pool.js';
import { translatorOf } from './build-translator.js';
import type { PreviousPayloadQuestion, TranslatorWorkerData } from './translator-pool.js';
import type { Translation, Translator } from './translator.js';

const { config, mappings } = workerData as TranslatorWorkerData;
const setup = await loadSoundSetup(config, { keys: true, urls: false });
// A file edited on disk since the gateway loaded it must not be run by one thread and not the others.
for (const mapping of setup.mappings.mappings) {
  if (mappings[mapping.id] !== mapping.sha256) {
    const running = mappings[mapping.id] === undefined ? 'does not run it' : `runs sha256 ${mappings[mapping.id]!.slice(0, 16)}…`;
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `mapping ${mapping.id}: ${relative(config.mappingsDir, mapping.source)} holds sha256 ${mapping.sha256.slice(0, 16)}… but the gateway ${running}; restore the file or restart the gateway (admins change mappings through an activation)`);
  }
}
const missing = Object.keys(mappings).filter((id) => !setup.mappings.mappings.some((m) => m.id === id));
if (missing.length > 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `mapping files of ${missing.join(', ')} are gone from the mappings folder while the gateway runs them; restore them or restart the gateway`);
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
