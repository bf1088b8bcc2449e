// The signing-profile contract: how a rendered document is signed with our key for a partner.
import type { SigningCapability } from './key-capabilities.js';
import type { SignatureLocation } from './xml-verifier.js';

/** Signs rendered documents; profiles are registered by name (built-ins and adapters'). */
export interface SigningProfile {
  /** Registry name, used by `MessageSpec.signing` and `PartnerContext.sign`. */
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  /** Codecs whose documents it signs; any when left out. */
  readonly codecs?: readonly string[];
  /** False only for `none`: the output carries no signature. */
  readonly signs: boolean;
  /**
   * Where an enveloped XML signature of this profile sits; a partner whose instance uses the profile signs
   * its pushes the same way, so the inbound verifier looks there. Undefined for other kinds of profile.
   */
  readonly placement?: SignatureLocation;
  /**
   * The signed document. Never returns the input unsigned when `signs` is true.
   * @throws GatewayError when the document is not of a shape the profile signs, or the key is unfit.
   */
  sign(document: Buffer, signer: SigningCapability): Buffer;
  /** The same signature made with the key's work off the calling thread, when the profile can; else callers use {@link sign}. */
  signAsync?(document: Buffer, signer: SigningCapability): Promise<Buffer>;
}

/** Declares a signing profile; returns it unchanged, typed. */
export function defineSigningProfile(profile: SigningProfile): SigningProfile {
  return profile;
}
