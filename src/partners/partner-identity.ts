// Loads each partner instance's keys: our signing key for it, its pinned certificates, and the TLS material towards it.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { loadKeyCapabilities, readCertificates, type KeyCapabilities } from '../security/key-capabilities.js';
import type { PartnerTls } from '../transport/http-client.js';
import type { PartnerSettings } from './partner-settings.js';

/** The keys of one partner instance. */
export interface PartnerIdentity {
  /** Our key for this partner (the gateway's unless the instance names its own). */
  identity: KeyCapabilities;
  /** The partner's pinned certificates, the current one first. */
  partnerCertificates: X509Certificate[];
  /** TLS client certificate and trust anchors towards the partner, when configured. */
  tls?: PartnerTls;
}

/** Where the defaults live. */
export interface IdentityDefaults {
  /** The gateway's signing key and certificate. */
  signingKeyFile: string;
  signingCertFile: string;
  /** Certificates folder: a partner's default pinned certificate is `<certsDir>/partners/<id>.cert.pem`. */
  certsDir: string;
}

/** The default pinned certificate of a partner instance. */
export function defaultPartnerCertificate(certsDir: string, partner: string): string {
  return join(certsDir, 'partners', `${partner}.cert.pem`);
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `cannot read the ${what} ${file}`, { file }, { cause: err });
  }
}

/** The TLS client certificate (first of its chain) must be the key's. */
function checkPair(certPem: string, keyPem: string, file: string): void {
  let matches = false;
  try {
    matches = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `the TLS client certificate or key is unreadable (${file})`, { file }, { cause: err });
  }
  if (!matches) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `the TLS client certificate ${file} does not belong to its key`, { file });
}

/** Loads key pairs once per file pair, so instances that share the gateway key share one loaded key (or one problem). */
export class IdentityLoader {
  private readonly keys = new Map<string, KeyCapabilities | GatewayError>();

  constructor(private readonly defaults: IdentityDefaults) {}

  /** Our key pair for a partner; a broken shared pair is one problem, not one per partner. */
  private keyPair(settings: PartnerSettings): KeyCapabilities {
    const keyFile = settings.keys.signingKey ?? this.defaults.signingKeyFile;
    const certFile = settings.keys.signingCert ?? this.defaults.signingCertFile;
    const cacheKey = `${keyFile}\n${certFile}`;
    let loaded = this.keys.get(cacheKey);
    if (!loaded) {
      try {
        loaded = loadKeyCapabilities(keyFile, certFile);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        loaded = err;
      }
      this.keys.set(cacheKey, loaded);
    }
    if (loaded instanceof GatewayError) throw loaded;
    return loaded;
  }

  /**
   * Loads one instance's keys.
   * @throws GatewayError GW_ERR_KEY_UNAVAILABLE naming the file (and the partner, for its own files) that is missing or unfit.
   */
  load(settings: PartnerSettings): PartnerIdentity {
    const identity = this.keyPair(settings);
    try {
      const pinned = settings.keys.partnerCerts ?? [defaultPartnerCertificate(this.defaults.certsDir, settings.id)];
      const partnerCertificates = pinned.flatMap((file) => readCertificates(file, 'pinned certificate'));
      const { tlsCert, tlsKey, tlsCa } = settings.keys;
      if ((tlsCert === undefined) !== (tlsKey === undefined)) {
        throw new GatewayError('GW_ERR_CONFIG_INVALID', 'a TLS client certificate needs its key and the other way round (keys.tlsCert and keys.tlsKey)', { file: settings.source.file });
      }
      const tls: PartnerTls | undefined =
        tlsCert || tlsCa
          ? {
              ...(tlsCert ? { cert: readPem(tlsCert, 'TLS client certificate') } : {}),
              ...(tlsKey ? { key: readPem(tlsKey, 'TLS client key') } : {}),
              ...(tlsCa ? { ca: tlsCa.map((f) => readPem(f, 'TLS trust anchor')) } : {}),
            }
          : undefined;
      if (tls?.cert && tls.key) checkPair(tls.cert, tls.key, tlsCert ?? '');
      return { identity, partnerCertificates, ...(tls ? { tls } : {}) };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      throw new GatewayError(err.code, `partner ${settings.id}: ${err.message.replace(/^GW_ERR_\w+: /, '')}`, err.detail, { cause: err });
    }
  }
}
