// The `cms` signing profile: the rendered document wrapped in an attached CMS SignedData (DER) signed with our key.
import { buildCmsSignedData } from './cms-signed-data.js';
import { defineSigningProfile } from './signing-profile.js';

/** Attached CMS SignedData (RFC 5652) over the document: SHA-256, RSA or ECDSA by key, our certificate included, DER out. */
export const cmsSigningProfile = defineSigningProfile({
  name: 'cms',
  description: 'attached CMS SignedData (DER) over the document bytes: SHA-256, RSA or ECDSA by key, signer certificate included',
  signs: true,
  sign: (document, signer) => buildCmsSignedData(document, signer, { detached: false }),
});
