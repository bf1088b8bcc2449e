// A push reader thread: loads the gateway's setup once, then verifies, reads and maps the pushes the server's thread hands it.
import { workerData } from 'node:worker_threads';
import type { GatewayConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import { createPartnerRuntime } from '../partners/partner-runtime.js';
import { loadSoundSetup } from '../setup/load-setup.js';
import { asBuffer } from '../worker-module.js';
import { serveRequests } from '../worker-pool.js';
import { readerFromSetup } from './reader-from-setup.js';
import type { PushReading, PushToRead } from './push-reader.js';

const { config } = workerData as { config: GatewayConfig };
const setup = await loadSoundSetup(config, { keys: true, urls: false });
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
