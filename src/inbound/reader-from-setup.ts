// The inbound directory and push reader of a loaded setup, built the same way on the server's thread and in a reader worker.
import type { PartnerContext } from '../partners/partner-definition.js';
import { createXmlVerifier } from '../security/xml-verifier.js';
import type { Setup } from '../setup/load-setup.js';
import { createInboundDirectory, type InboundDirectory } from './inbound-directory.js';
import { DEFAULT_MAX_PUSH_BYTES } from './inbound-limits.js';
import { createPushReader, type PushReader } from './push-reader.js';

/** Largest push any inbound partner may make: the listener reads no more. */
export function maxPushBytes(directory: InboundDirectory): number {
  return Math.max(DEFAULT_MAX_PUSH_BYTES, ...directory.partners.map((p) => p.spec.maxBytes ?? DEFAULT_MAX_PUSH_BYTES));
}

/** The directory of a setup and a reader on it (verifier pinned to the directory's keys). */
export function readerFromSetup(setup: Setup, contextOf: (partner: string) => PartnerContext): { directory: InboundDirectory; reader: PushReader } {
  const directory = createInboundDirectory(setup.partners, setup.identities, contextOf);
  const verifier = createXmlVerifier(
    (partner) => directory.signingKeys(partner),
    maxPushBytes(directory),
    (partner) => directory.get(partner)?.placement ?? 'root',
    (partner) => directory.signingCertificates(partner),
  );
  return { directory, reader: createPushReader({ directory, verifier, mappings: setup.mappings, records: setup.records }) };
}
