// Builds the translation pipeline from a loaded setup: each partner's documents signed with our key for that partner.
import { GatewayError } from '../errors.js';
import type { CaisRecord } from '../records/record-types.js';
import type { Setup } from '../setup/load-setup.js';
import { createTranslator, type Translator } from './translator.js';

/**
 * The translator of a setup.
 * @param previousPayload the document logged for a record's previous version (for partners that supersede)
 */
export function translatorOf(setup: Setup, previousPayload?: (record: CaisRecord, partner: string, message: string) => Promise<Buffer | undefined>): Translator {
  const { records, mappings, partners, documents, identities } = setup;
  return createTranslator({
    records,
    mappings,
    partners,
    documents,
    sign(partner, profile, document) {
      const identity = identities.get(partner);
      if (!identity) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `partner ${partner} has no signing key loaded`);
      return partners.signingProfiles.get(profile).sign(document, identity.identity);
    },
    ...(previousPayload ? { previousPayload } : {}),
  });
}
