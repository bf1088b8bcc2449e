// Setup checks of the inbound side: each pushing partner names its sender, a TLS client certificate identifies one partner only, and the listener's TLS material fits.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { InboundListenConfig } from '../config.js';
import type { PartnerIdentity } from '../partners/partner-identity.js';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { ProblemList } from '../setup/problem-list.js';
import { fingerprintOf } from './inbound-directory.js';

/** The listener's certificate chain and key, read and checked to belong together. */
export interface InboundTlsMaterial {
  cert: string;
  key: string;
  passphrase?: string;
}

/**
 * Reads the listener's TLS files.
 * @throws Error naming the file and the variable to fix
 */
export function readInboundTls(inbound: InboundListenConfig): InboundTlsMaterial {
  const read = (file: string, variable: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new Error(`cannot read ${file} (${variable})`);
    }
  };
  const cert = read(inbound.certFile, 'GATEWAY_INBOUND_TLS_CERT_FILE');
  const key = read(inbound.keyFile, 'GATEWAY_INBOUND_TLS_KEY_FILE');
  let fits: boolean;
  try {
    fits = new X509Certificate(cert).checkPrivateKey(createPrivateKey({ key, ...(inbound.keyPassphrase ? { passphrase: inbound.keyPassphrase } : {}) }));
  } catch (err) {
    throw new Error(`the inbound TLS certificate ${inbound.certFile} or key ${inbound.keyFile} is unreadable: ${(err as Error).message}`);
  }
  if (!fits) throw new Error(`the inbound TLS certificate ${inbound.certFile} does not belong to the key ${inbound.keyFile}`);
  return { cert, key, ...(inbound.keyPassphrase ? { passphrase: inbound.keyPassphrase } : {}) };
}

/**
 * Adds a problem for every TLS client certificate pinned for two partners: it could identify neither.
 * (An inbound partner's sender code is a participant its adapter declares, so the partners-file check
 * already requires it.)
 */
export function checkClientCertificates(partners: PartnerRegistry, identities: ReadonlyMap<string, PartnerIdentity>, problems: ProblemList): void {
  const owners = new Map<string, string>();
  for (const partner of partners.partners) {
    const { file, pointer } = partner.settings.source;
    for (const certificate of identities.get(partner.id)?.clientCertificates ?? []) {
      const fingerprint = fingerprintOf(certificate);
      const other = owners.get(fingerprint);
      if (other && other !== partner.id) {
        problems.add({ code: 'GW_ERR_CONFIG_INVALID', file, pointer: `${pointer}/keys`, message: `partner ${partner.id}: its TLS client certificate ${certificate.subject.replace(/\n/g, ', ')} is pinned for partner ${other} too, so it could not tell them apart` });
      }
      owners.set(fingerprint, partner.id);
    }
  }
}
