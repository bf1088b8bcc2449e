// Stable identifiers: a UUID derived from a name, so the same name always gives the same id (a resend repeats it).
import { hash } from 'node:crypto';

/** A name-based UUID (RFC 9562 version 5 layout over SHA-1); the same seed always gives the same id. */
export function nameBasedUuid(seed: string): string {
  const x = hash('sha1', seed, 'hex');
  const variant = ((parseInt(x.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-${variant}${x.slice(17, 20)}-${x.slice(20, 32)}`;
}
