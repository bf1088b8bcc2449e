// A push reader thread: loads the gateway's setup once (with the mapping texts the server's thread compiled), then verifies, reads and maps the pushes it is handed.
import { workerData } from 'node:worker_threads';
import { GatewayError } from '../errors.js';
import { createPartnerRuntime } from '../partners/partner-runtime.js';
import { loadSoundSetup } from '../setup/load-setup.js';
import { asBuffer } from '../worker-module.js';
import { serveRequests } from '../worker-pool.js';
import { readerFromSetup } from './reader-from-setup.js';
import type { PushReading, PushToRead } from './push-reader.js';
import type { ReaderWorkerData } from './reader-pool.js';

const { config, mappingFiles } = workerData as ReaderWorkerData;
const setup = await loadSoundSetup(config, { keys: true, urls: false, mappingFiles });
// Reading never calls a partner; an adapter that asks for a URL here is told so.
const runtime = createPartnerRuntime({
  registry: setup.partners,
  identities: setup.identities,
  url: (partner) => {
    throw new GatewayError('GW_ERR_INTERNAL', `partner ${partner}: no URL while reading a push`);
  },
});
const { reader } = readerFromSetup(setup, (partner) => runtime.context(partner));
serveRequests<PushToRead, PushReading>((push) => reader.read({ ...push, body: asBuffer(push.body) }));
