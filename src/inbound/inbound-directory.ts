// Who may push what: each inbound partner with its pinned TLS client and signing certificates and the sender code it must declare.
import type { KeyObject, X509Certificate } from 'node:crypto';
import { DEFAULT_SENDER_PARTICIPANT, type InboundSpec, type PartnerContext } from '../partners/partner-definition.js';
import type { PartnerIdentity } from '../partners/partner-identity.js';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { SignatureLocation } from '../security/xml-verifier.js';

/** A partner instance that pushes documents to us. */
export interface InboundPartner {
  id: string;
  spec: InboundSpec;
  context: PartnerContext;
  /** The sender code its documents must declare (its sender participant). */
  sender: string;
  /** Its pinned signing keys, the current one first, with each certificate's SHA-256 fingerprint. */
  signingKeys: ReadonlyArray<{ key: KeyObject; fingerprint: string }>;
  /** Where its signature sits: where the instance's receipt profile puts ours. */
  placement: SignatureLocation;
  /** Signs a receipt or refusal with the adapter's receipt profile and our key for the partner (off the main thread when the profile can). */
  signReceipt(document: Buffer): Promise<Buffer>;
}

/**
 * The inbound partners, and the certificates that identify every configured partner: a push is
 * bound to one partner by all three of its TLS certificate, its signature and its declared sender.
 */
export interface InboundDirectory {
  /** The inbound partner with this id, or undefined (unknown, or it pushes nothing). */
  get(id: string): InboundPartner | undefined;
  /** Every inbound partner. */
  readonly partners: readonly InboundPartner[];
  /** Every configured partner id, in partners-file order. */
  readonly configured: readonly string[];
  /** The pinned signing keys of any configured partner (none for an unknown id). */
  signingKeys(id: string): readonly KeyObject[];
  /** The pinned signing certificates of any configured partner, in the order of its keys. */
  signingCertificates(id: string): readonly X509Certificate[];
  /** The configured partner whose pinned TLS client certificate has this SHA-256 fingerprint (hex, lower case, no colons). */
  clientOwner(fingerprint: string): string | undefined;
}

/** SHA-256 fingerprint of a certificate as lower-case hex without colons. */
export function fingerprintOf(certificate: Pick<X509Certificate, 'fingerprint256'>): string {
  return certificate.fingerprint256.replace(/:/g, '').toLowerCase();
}

/**
 * Builds the directory: inbound partners are the instances whose adapter declares `inbound`; every
 * configured instance's certificates identify it. A TLS client certificate pinned for two partners
 * identifies neither: the setup check refuses that before.
 */
export function createInboundDirectory(registry: PartnerRegistry, identities: ReadonlyMap<string, PartnerIdentity>, contextOf: (id: string) => PartnerContext): InboundDirectory {
  const partners: InboundPartner[] = [];
  const clients = new Map<string, string>();
  const keys = new Map<string, KeyObject[]>();
  const certificates = new Map<string, readonly X509Certificate[]>();
  for (const partner of registry.partners) {
    const identity = identities.get(partner.id);
    if (!identity) continue;
    // One KeyObject per certificate, shared with the verifier, so the key that verified names its certificate.
    const signingKeys = identity.partnerCertificates.map((c) => ({ key: c.publicKey, fingerprint: fingerprintOf(c) }));
    keys.set(partner.id, signingKeys.map((k) => k.key));
    certificates.set(partner.id, identity.partnerCertificates);
    for (const certificate of identity.clientCertificates) clients.set(fingerprintOf(certificate), partner.id);
    const declared = partner.inbound;
    if (!declared) continue;
    // AS2 pushes only where the instance's profile takes them.
    const spec: InboundSpec = declared.as2?.profiles && !declared.as2.profiles.includes(partner.profile) ? { ...declared, as2: undefined } : declared;
    const sender = partner.settings.participants[spec.senderParticipant ?? DEFAULT_SENDER_PARTICIPANT] ?? '';
    const profile = registry.signingProfiles.get(spec.receiptSigning);
    const ours = identity.identity;
    const signReceipt = (document: Buffer): Promise<Buffer> => (profile.signAsync ? profile.signAsync(document, ours) : Promise.resolve(profile.sign(document, ours)));
    partners.push({ id: partner.id, spec, context: contextOf(partner.id), sender, signingKeys, placement: profile.placement ?? 'root', signReceipt });
  }
  const byId = new Map(partners.map((p) => [p.id, p]));
  return {
    partners,
    configured: [...keys.keys()],
    get: (id) => byId.get(id),
    signingKeys: (id) => keys.get(id) ?? [],
    signingCertificates: (id) => certificates.get(id) ?? [],
    clientOwner: (fingerprint) => clients.get(fingerprint),
  };
}
