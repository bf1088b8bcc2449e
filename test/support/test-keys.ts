// Keys for tests that must also hold the raw private key (to forge, re-sign or compare against a baseline), beside its capabilities.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadKeyCapabilities, type KeyCapabilities } from '../../src/security/key-capabilities.js';

/** A key's capabilities, and the private key itself (tests only: the gateway never hands it out). */
export type TestKey = KeyCapabilities & { readonly privateKey: KeyObject };

/** Loads a PEM key and its certificate as a {@link TestKey}. */
export function loadTestKey(keyFile: string, certFile: string): TestKey {
  return Object.assign(loadKeyCapabilities(keyFile, certFile), { privateKey: createPrivateKey(readFileSync(keyFile)) });
}
