// The transport contract: how one built request reaches a partner, and what the partner's answer was.
import type { X509Certificate } from 'node:crypto';
import type { AttemptResult, HttpRequest } from '../partners/partner-definition.js';
import type { KeyCapabilities } from '../security/key-capabilities.js';

/** Sends HTTP requests to one partner: its own keep-alive pool, TLS client certificate and trust anchors. */
export interface PartnerHttpClient {
  /**
   * Sends `request` to `url` (its path appended), within `timeoutMs`, reading at most `maxResponseBytes`.
   * Never throws for network trouble: a refused connection is `connect` (nothing was sent), no whole
   * answer in time `timeout` (in doubt), a broken connection `reset`, a longer answer `oversize`.
   */
  send(url: string, request: Pick<HttpRequest, 'method' | 'path' | 'headers' | 'body'>, timeoutMs: number, maxResponseBytes: number): Promise<AttemptResult>;
  /** Closes the pool (waits for requests in flight); idempotent. */
  close(): Promise<void>;
}

/** Everything a transport may use to reach one partner instance. */
export interface TransportChannel {
  /** Partner instance id. */
  readonly partner: string;
  /** The service URL the request goes to. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** HTTP with this partner's pool and TLS settings. */
  readonly http: PartnerHttpClient;
  /** Our key for this partner. */
  readonly identity: KeyCapabilities;
  /** The partner's pinned certificates, the current one first (to verify its receipts, to encrypt for it). */
  readonly partnerCertificates: readonly X509Certificate[];
  /** Participant codes of the instance (AS2 uses `as2From` and `as2To`). */
  readonly participants: Readonly<Record<string, string>>;
}

/** Carries requests of one kind to partners; transports are registered by name (built-ins and adapters'). */
export interface Transport {
  /** Registry name, used by `TransportSpec.kind` and a request's `transport` field. */
  readonly name: string;
  /** One line for listings. */
  readonly description: string;
  /** Participant codes an instance must give to use it (AS2: `as2From`, `as2To`). */
  readonly participants?: readonly string[];
  /**
   * Sends one request and reports what happened; never throws for network trouble or a bad answer
   * (that is for the partner's classifier), only for a request it cannot build.
   */
  send(request: unknown, channel: TransportChannel): Promise<AttemptResult>;
}

/** Declares a transport; returns it unchanged, typed. */
export function defineTransport(transport: Transport): Transport {
  return transport;
}
