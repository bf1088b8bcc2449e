// The partner adapter contract: what an adapter folder declares about the documents its partner receives.

/** How a partner's message is rendered and protected. */
export interface MessageSpec {
  /** One line saying what the message is, for listings and docs. */
  description: string;
  /** Codec that renders the mapped document. */
  codec: 'xml' | 'edifact' | 'json';
  /** Signing profile: `xmldsig` signs enveloped XMLDSig with the gateway key; `none` leaves the document as rendered. */
  signing: 'xmldsig' | 'none';
  /**
   * JSON Schema of the mapped document (its object form), under `schemas/partners/<partner>/`.
   * Checked before rendering so a mapping mistake never reaches the partner.
   */
  schema?: string;
}

/** A partner adapter: data plus the few functions its protocol needs. Adapters never import each other. */
export interface PartnerDefinition {
  /** Stable partner id, equal to the adapter folder name (`iru-safetir`, `ru-fcs`). */
  id: string;
  /** Human name of the partner. */
  name: string;
  /** Message types this partner receives, by name. */
  messages: Record<string, MessageSpec>;
}

/** Declares a partner; returns the definition unchanged, typed. */
export function definePartner(definition: PartnerDefinition): PartnerDefinition {
  return definition;
}
