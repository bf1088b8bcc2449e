// Wires the translation pipeline from configuration: schemas, adapters, mappings and the signing key, all loaded once.
import type { GatewayConfig } from '../config.js';
import { loadMappingSet, type MappingSet } from '../mapping/mapping-set.js';
import { createDocumentValidator } from '../partners/document-validator.js';
import { loadPartnerRegistry, type PartnerRegistry } from '../partners/partner-registry.js';
import { createRecordValidator } from '../records/record-validator.js';
import { loadSigningKey } from '../security/key-store.js';
import { createXmlSigner } from '../security/xml-signer.js';
import { createTranslator, type Translator } from './translator.js';

/** The translator and the parts an operator command may want to inspect. */
export interface TranslationKit {
  translator: Translator;
  mappings: MappingSet;
  partners: PartnerRegistry;
}

/**
 * Loads and compiles everything the translator needs; fails fast with the file and field at fault.
 * @throws GatewayError GW_ERR_CONFIG_INVALID, GW_ERR_MAPPING_INVALID, GW_ERR_MAPPING_EXPRESSION or GW_ERR_KEY_UNAVAILABLE.
 */
export async function buildTranslator(config: GatewayConfig): Promise<TranslationKit> {
  const records = createRecordValidator(config.schemasDir);
  const partners = await loadPartnerRegistry();
  const mappings = loadMappingSet(config.mappingsDir, config.schemasDir, partners, records.types);
  const documents = createDocumentValidator(config.schemasDir, partners);
  const signer = createXmlSigner(loadSigningKey(config.signingKeyFile, config.signingCertFile));
  return { translator: createTranslator({ records, mappings, partners, documents, signer }), mappings, partners };
}
