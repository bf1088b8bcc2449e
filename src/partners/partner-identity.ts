// Loads each partner instance's keys: our signing key for it, its pinned certificates, and the TLS material towards it.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { loadKeyCapabilities, readCertificates, type KeyCapabilities } from '../security/key-capabilities.js';
import { ProblemList } from '../setup/problem-list.js';
import type { PartnerTls } from '../transport/http-client.js';
import type { PartnerSettings } from './partner-settings.js';

/** The keys of one partner instance. */
export interface PartnerIdentity {
  /** Our key for this partner (the gateway's unless the instance names its own). */
  identity: KeyCapabilities;
  /** Our earlier keys for this partner, during a rollover (decrypting only). */
  retiredIdentities: KeyCapabilities[];
  /** The partner's pinned certificates, the current one first. */
  partnerCertificates: X509Certificate[];
  /** The partner's pinned TLS client certificates (its pushes to us); its pinned certificates unless configured apart. */
  clientCertificates: X509Certificate[];
  /** TLS client certificate and trust anchors towards the partner, when configured. */
  tls?: PartnerTls;
}

/** Where the defaults live. */
export interface IdentityDefaults {
  /** The gateway's signing key and certificate. */
  signingKeyFile: string;
  signingCertFile: string;
  /** Passphrase of the gateway's signing key, when it is encrypted. */
  signingKeyPassphrase?: string;
  /** Certificates folder: a partner's default pinned certificate is `<certsDir>/partners/<id>.cert.pem`. */
  certsDir: string;
}

/** The default pinned certificate of a partner instance. */
export function defaultPartnerCertificate(certsDir: string, partner: string): string {
  return join(certsDir, 'partners', `${partner}.cert.pem`);
}

function unavailable(reason: string, file: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_KEY_UNAVAILABLE', reason, { file }, cause === undefined ? undefined : { cause });
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw unavailable(`cannot read the ${what} ${file}`, file, err);
  }
}

/** TLS material towards a partner, each part checked now rather than at the first connection. */
function tlsOf(keys: PartnerSettings['keys']): PartnerTls | undefined {
  const { tlsCert, tlsKey, tlsCa, tlsKeyPassphrase } = keys;
  if (!tlsCert && !tlsKey && !tlsCa) return undefined;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'a TLS client certificate needs its key and the other way round (keys.tlsCert and keys.tlsKey)');
  const ca = tlsCa?.map((file) => {
    const pem = readPem(file, 'TLS trust anchor');
    readCertificates(file, 'TLS trust anchor');
    return pem;
  });
  if (!tlsCert || !tlsKey) return { ...(ca ? { ca } : {}) };
  const cert = readPem(tlsCert, 'TLS client certificate');
  const key = readPem(tlsKey, 'TLS client key');
  let matches = false;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey({ key, ...(tlsKeyPassphrase === undefined ? {} : { passphrase: tlsKeyPassphrase }) }));
  } catch (err) {
    throw unavailable(`the TLS client certificate ${tlsCert} or its key ${tlsKey} is unreadable${tlsKeyPassphrase === undefined ? ' (an encrypted key needs TLS_KEY_PASSPHRASE)' : ''}`, tlsCert, err);
  }
  if (!matches) throw unavailable(`the TLS client certificate ${tlsCert} does not belong to its key ${tlsKey}`, tlsCert);
  return { cert, key, ...(tlsKeyPassphrase === undefined ? {} : { passphrase: tlsKeyPassphrase }), ...(ca ? { ca } : {}) };
}

/** Loads key pairs once per file pair, so instances that share the gateway key share one loaded key (or one problem). */
export class IdentityLoader {
  private readonly keys = new Map<string, KeyCapabilities | GatewayError>();

  constructor(private readonly defaults: IdentityDefaults) {}

  /** Our key pair for a partner; a broken shared pair is one problem, not one per partner. */
  private keyPair(settings: PartnerSettings): KeyCapabilities {
    const own = settings.keys.signingKey !== undefined || settings.keys.signingCert !== undefined;
    const keyFile = settings.keys.signingKey ?? this.defaults.signingKeyFile;
    const certFile = settings.keys.signingCert ?? this.defaults.signingCertFile;
    const passphrase = own ? settings.keys.signingKeyPassphrase : this.defaults.signingKeyPassphrase;
    const cacheKey = `${keyFile}\n${certFile}`;
    let loaded = this.keys.get(cacheKey);
    if (!loaded) {
      try {
        loaded = loadKeyCapabilities(keyFile, certFile, passphrase);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        // A partner's own key is its problem; the gateway's shared key is reported once, for all.
        loaded = own ? new GatewayError(err.code, `partner ${settings.id}: ${err.message.replace(/^GW_ERR_\w+: /, '')}`, { ...err.detail, file: settings.source.file, pointer: `${settings.source.pointer}/keys` }) : err;
      }
      this.keys.set(cacheKey, loaded);
    }
    if (loaded instanceof GatewayError) throw loaded;
    return loaded;
  }

  /**
   * Loads one instance's keys: every part is tried, so one run reports each problem.
   * @throws SetupFailed listing each key, certificate or TLS file that is missing or unfit (named with the partner).
   */
  load(settings: PartnerSettings): PartnerIdentity {
    const problems = new ProblemList();
    const partnerProblem = (load: () => void): void => {
      try {
        load();
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        problems.add({ code: err.code, message: `partner ${settings.id}: ${err.message.replace(/^GW_ERR_\w+: /, '')}`, file: settings.source.file, pointer: `${settings.source.pointer}/keys` });
      }
    };
    const identity = problems.capture(() => this.keyPair(settings));
    let partnerCertificates: X509Certificate[] = [];
    const retiredIdentities: KeyCapabilities[] = [];
    for (const pair of settings.keys.retiredKeys ?? []) partnerProblem(() => retiredIdentities.push(loadKeyCapabilities(pair.key, pair.cert)));
    let clientCertificates: X509Certificate[] | undefined;
    let tls: PartnerTls | undefined;
    partnerProblem(() => {
      const pinned = settings.keys.partnerCerts ?? [defaultPartnerCertificate(this.defaults.certsDir, settings.id)];
      partnerCertificates = pinned.flatMap((file) => readCertificates(file, 'pinned certificate'));
    });
    const clientFiles = settings.keys.clientCerts;
    if (clientFiles) partnerProblem(() => (clientCertificates = clientFiles.flatMap((file) => readCertificates(file, 'pinned TLS client certificate'))));
    partnerProblem(() => (tls = tlsOf(settings.keys)));
    problems.throwIfAny();
    return { identity: identity as KeyCapabilities, retiredIdentities, partnerCertificates, clientCertificates: clientCertificates ?? partnerCertificates, ...(tls ? { tls } : {}) };
  }
}
