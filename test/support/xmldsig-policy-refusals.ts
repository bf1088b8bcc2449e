// What each hostile XMLDSig case must do, and every deliberate policy where the gateway refuses what xmlsec1 accepts (with the code it answers).

/**
 * Every place where the gateway refuses a document xmlsec1 accepts: a deliberate policy, the code the
 * gateway answers with, and why. A case whose outcome differs from xmlsec1 in any other way fails the differential test.
 */
export const POLICY_REFUSALS = {
  'signature-count': { code: 'GW_ERR_SIGNATURE_POLICY', why: 'xmlsec1 verifies the first ds:Signature it meets and ignores the others; the profile allows exactly one' },
  'signature-placement': {
    code: 'GW_ERR_SIGNATURE_POLICY',
    why: 'xmlsec1 accepts an enveloped signature anywhere; the profile wants it as a direct child of the document element, so signature and signed element cannot be moved apart (XSW4)',
  },
  'ds-object': { code: 'GW_ERR_SIGNATURE_POLICY', why: 'ds:Object and ds:Manifest are where wrapped copies hide (XSW8); the enveloped profile never needs them' },
  'reference-target': {
    code: 'GW_ERR_SIGNATURE_POLICY',
    why: 'xmlsec1 digests whatever same-document node-set the Reference names (a child id, an XPointer, no URI at all); the gateway returns the whole document, so the Reference must be "" or #id of the document element',
  },
  algorithm: { code: 'GW_ERR_SIGNATURE_POLICY', why: 'RSA-SHA1, RSA-SHA512, SHA-1 and SHA-512 digests are valid XMLDSig; the profile allows RSA-SHA256, ECDSA-P256-SHA256 and SHA-256 only (no downgrade)' },
  canonicalization: { code: 'GW_ERR_SIGNATURE_POLICY', why: 'inclusive c14n and the #WithComments variants are valid XMLDSig; the profile allows exclusive c14n without comments only' },
  transforms: { code: 'GW_ERR_SIGNATURE_POLICY', why: 'other transform chains (a second c14n, no c14n, XPath) are valid XMLDSig; the profile allows exactly enveloped-signature then exc-c14n' },
  'inclusive-namespaces': { code: 'GW_ERR_SIGNATURE_POLICY', why: 'an InclusiveNamespaces PrefixList changes which declarations are signed; the profile allows no content in a method or transform' },
  'signature-text': { code: 'GW_ERR_SIGNATURE_POLICY', why: 'xmlsec1 skips character data between the signature\'s elements; the XMLDSig schema allows none, so the profile refuses it' },
  'processing-instruction': { code: 'GW_ERR_SIGNATURE_POLICY', why: 'c14n of URI="" signs processing instructions, which the readers of the signed bytes ignore; none is accepted' },
  doctype: {
    code: 'GW_ERR_XML_DOCTYPE',
    why: 'libxml2 reads a DOCTYPE (xmlsec1 only fails on entity references in the signed part); the gateway refuses every markup declaration (XXE, entity expansion, attribute defaults)',
  },
  'namespace-well-formedness': {
    code: 'GW_ERR_XML_MALFORMED',
    why: 'libxml2 only warns about an undeclared prefix, a name with two colons, xmlns:p="" (Namespaces 1.1) or two attributes with one expanded name, then canonicalizes anyway; such a document is not namespace-well-formed in XML 1.0',
  },
  'namespace-uri': {
    code: 'GW_ERR_XML_MALFORMED',
    why: 'libxml2 keeps "&" in a namespace URI as the text "&#38;" and signs that, where exc-c14n writes "&amp;"; no correct signer and xmlsec1 agree on such a document, so a namespace URI with "&" is refused',
  },
  encoding: { code: 'GW_ERR_XML_MALFORMED', why: 'xmlsec1 decodes any declared encoding; the gateway accepts UTF-8 only, so the bytes received are the characters signed' },
} as const;

/** A documented policy refusal. */
export type PolicyRefusal = keyof typeof POLICY_REFUSALS;

/** What a case must do: verify under both, be refused by both, or be refused by policy (ours only). */
export type Expectation = 'accept' | 'refuse' | PolicyRefusal;

/** The policy an expectation names, if it names one. */
export function policyOf(expect: Expectation): (typeof POLICY_REFUSALS)[PolicyRefusal] | undefined {
  return expect === 'accept' || expect === 'refuse' ? undefined : POLICY_REFUSALS[expect];
}
