// The partner adapter contract: the documents a partner receives, how they travel, and how its answers are judged.
import type { MessageStore } from '../store/message-store.js';

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
  /** The partner's configured endpoint (some protocols sign it, e.g. WS-Addressing `To`). */
  endpointUrl: string;
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
  /**
   * Sends several messages in one request (IRU: several terminations in one upload). Messages wait
   * up to `maxWaitMs` for companions, at most `maxMessages` travel together; the partner's answer
   * judges them all, and each keeps its own log entry with the batch id. `concurrency` should be at
   * least `maxMessages` so a batch can fill.
   */
  batch?: BatchSpec;
}

/** How a partner takes several messages in one request. */
export interface BatchSpec {
  maxMessages: number;
  maxWaitMs: number;
  /** Builds the one request for the batch; `batchId` is its message id towards the partner. */
  buildBatchRequest(messages: readonly OutboundMessage[], batchId: string, context: TransportContext): HttpRequest;
}

/** What an adapter's own API routes may use (see {@link PartnerDefinition.routes}). */
export interface PartnerRouteDeps {
  /** Registers a route on the gateway's API; the path must start with `/v1/`. Auth is required via `roles`. */
  route(spec: PartnerRoute): void;
  /** Sends a built request to this partner (same sender, URL and timeouts as deliveries). */
  send(request: HttpRequest): Promise<AttemptResult>;
  /** Keys and certificates for this partner's protocol. */
  context(): TransportContext;
  /** The message log (e.g. to find what was sent for a carnet). */
  store: MessageStore;
  /** A key-value area of the log reserved for this adapter's own records (e.g. reconciliation requests). */
  records: PartnerRecords;
}

/** A route an adapter adds to the API. */
export interface PartnerRoute {
  method: 'GET' | 'POST';
  /** Fastify path, e.g. `/v1/safetir/carnets/:number`. */
  path: string;
  /** Roles allowed (bearer token). */
  roles: ReadonlyArray<'cais' | 'admin' | 'auditor'>;
  summary: string;
  /** JSON Schemas for OpenAPI and validation. */
  schema?: { params?: object; querystring?: object; body?: object; response?: Record<number, object> };
  /** Answers the request; throw GatewayError for errors. */
  handler(request: { params: Record<string, string>; query: Record<string, unknown>; body: unknown }): Promise<{ status: number; body: unknown }>;
}

/** Adapter-owned records in the message log: JSON documents by kind and id, indexed by one key value. */
export interface PartnerRecords {
  /** Stores (insert or replace) a record. */
  put(kind: string, id: string, key: string, value: unknown, now: number): Promise<void>;
  get(kind: string, id: string): Promise<unknown | undefined>;
  /** Records of a kind, optionally only those with this key value, newest first. */
  list(kind: string, key?: string): Promise<Array<{ id: string; key: string; value: unknown; updatedAt: number }>>;
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
  /** Extra API routes and scheduled jobs of this partner's protocol (queries, reconciliation). */
  routes?(deps: PartnerRouteDeps): void;
  /**
   * A later version of a record replaces one this partner may have received: given the document
   * produced for the new version and the one logged for the version before, returns what must be
   * sent (IRU: a cancel record repeating what was sent, then the new record, in one document).
   */
  supersede?(next: Buffer, previous: Buffer): Buffer;
  /**
   * Alternative protocols of the same partner, chosen by configuration
   * (`GATEWAY_PARTNER_<ID>_PROFILE=<name>`), replacing the transport and the classifier.
   */
  profiles?: Readonly<Record<string, { transport: TransportSpec; classify: PartnerDefinition['classify'] }>>;
  /** Periodic work (e.g. pulling reconciliation requests), started with the gateway. */
  schedules?: ReadonlyArray<{ name: string; everyMs: number; run(deps: PartnerRouteDeps): Promise<void> }>;
}

/** Declares a partner; returns the definition unchanged, typed. */
export function definePartner(definition: PartnerDefinition): PartnerDefinition {
  return definition;
}
