// The partner adapter contract: the documents a partner receives, how they travel, and how its answers are judged.

/** How a partner's message is rendered and protected. */
export interface MessageSpec {
  /** One line saying what the message is, for listings and docs. */
  description: string;
  /** Codec that renders the mapped document. */
  codec: 'xml' | 'edifact' | 'json';
  /** Signing profile: `xmldsig` signs enveloped XMLDSig with the gateway key; `none` leaves the document as rendered. */
  signing: 'xmldsig' | 'none';
  /**
   * JSON Schema of the mapped document (its object form), under `schemas/partners/<partner>/`.
   * Checked before rendering so a mapping mistake never reaches the partner.
   */
  schema?: string;
}

/** A document on its way to a partner: what the transport wraps into a request. */
export interface OutboundMessage {
  /** Our message id: sent with every attempt (header `X-Message-Id` or the protocol's own field). */
  id: string;
  messageType: string;
  /** The logged document bytes. */
  payload: Buffer;
  /** 1 for the first attempt. */
  attempt: number;
}

/** What the transport needs to build requests: keys and certificates of both sides. */
export interface TransportContext {
  /** The partner's certificate (PEM), e.g. to encrypt for it. */
  partnerCertificatePem: string;
  /** The gateway's own certificate (PEM), e.g. to be answered encrypted for it. */
  gatewayCertificatePem: string;
  /** The gateway's private key (PEM), e.g. to decrypt answers. */
  gatewayPrivateKeyPem: string;
}

/** An HTTP request, fully built. */
export interface HttpRequest {
  method: 'POST' | 'PUT';
  /** Path appended to the partner's configured base URL; '' posts to the base URL itself (a SOAP endpoint). */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** What one attempt produced: the partner's response, or why there was none. */
export type AttemptResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer; durationMs: number }
  | {
      kind: 'error';
      /** timeout: no answer in time (the request may have arrived: in doubt); connect: nothing was sent. */
      error: 'timeout' | 'connect' | 'reset';
      message: string;
      durationMs: number;
    };

/** The partner's verdict on an attempt. */
export interface Outcome {
  verdict: 'delivered' | 'retry' | 'failed' | 'needs-human';
  /** The partner's own return or error code, when it gave one. */
  partnerCode?: string;
  /** Why, in words. */
  reason: string;
}

/** Retry schedule of a partner. */
export interface RetryPolicy {
  /** Delay before retry n (1-based) is `delaysMs[min(n, length) - 1]`. */
  delaysMs: readonly number[];
  /** Each delay is randomised by ± this fraction, so retries of many messages spread out. */
  jitter: number;
  /** Attempts in all, the first included; then the message is dead-lettered. */
  maxAttempts: number;
}

/** When to stop calling a partner that keeps failing, and for how long. */
export interface CircuitBreakerPolicy {
  /** Consecutive retryable failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial attempt. */
  cooldownMs: number;
}

/** How the partner is reached. */
export interface TransportSpec {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Attempts in flight at once, at most. */
  concurrency: number;
  /** Builds the request for one attempt (wraps, encrypts, adds the message id). */
  buildRequest(message: OutboundMessage, context: TransportContext): HttpRequest;
}

/** A partner adapter: data plus the few functions its protocol needs. Adapters never import each other. */
export interface PartnerDefinition {
  /** Stable partner id, equal to the adapter folder name (`iru-safetir`, `ru-fcs`). */
  id: string;
  /** Human name of the partner. */
  name: string;
  /** Message types this partner receives, by name. */
  messages: Record<string, MessageSpec>;
  /** How documents travel to it. */
  transport: TransportSpec;
  /** Judges every attempt: HTTP status, SOAP fault, partner return code → delivered, retry, failed or needs-human. */
  classify(result: AttemptResult, context: TransportContext): Outcome;
  retry: RetryPolicy;
  circuitBreaker: CircuitBreakerPolicy;
}

/** Declares a partner; returns the definition unchanged, typed. */
export function definePartner(definition: PartnerDefinition): PartnerDefinition {
  return definition;
}
