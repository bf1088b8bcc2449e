// Wires the translation pipeline from configuration: schemas, adapters, mappings and the signing key, all loaded once.
import type { GatewayConfig } from '../config.js';
import { loadMappingSet, type MappingSet } from '../mapping/mapping-set.js';
import { createDocumentValidator, type DocumentValidator } from '../partners/document-validator.js';
import { loadPartnerRegistry, type PartnerRegistry } from '../partners/partner-registry.js';
import { createRecordValidator, type RecordValidator } from '../records/record-validator.js';
import { loadSigningKey } from '../security/key-store.js';
import { createXmlSigner } from '../security/xml-signer.js';
import { createTranslator, type Translator } from './translator.js';

/** Everything compiled from files: schemas, adapters, mappings. No keys. */
export interface PipelineParts {
  records: RecordValidator;
  partners: PartnerRegistry;
  mappings: MappingSet;
  documents: DocumentValidator;
}

/**
 * Loads and compiles schemas, adapters and mappings; fails fast with the file and field at fault.
 * @throws GatewayError GW_ERR_CONFIG_INVALID, GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION.
 */
export async function loadPipelineParts(config: GatewayConfig): Promise<PipelineParts> {
  const records = createRecordValidator(config.schemasDir);
  const partners = await loadPartnerRegistry(config.partnerProfiles);
  const mappings = loadMappingSet(config.mappingsDir, config.schemasDir, partners, records.types);
  const documents = createDocumentValidator(config.schemasDir, partners);
  return { records, partners, mappings, documents };
}

/**
 * Builds the translator: the pipeline parts plus the gateway's signing key.
 * @throws GatewayError as {@link loadPipelineParts}, or GW_ERR_KEY_UNAVAILABLE.
 */
export async function buildTranslator(config: GatewayConfig): Promise<Translator> {
  const parts = await loadPipelineParts(config);
  const signer = createXmlSigner(loadSigningKey(config.signingKeyFile, config.signingCertFile));
  return createTranslator({ ...parts, signer });
}
