// The partner adapter contract: the documents a partner receives, how they travel, how its answers are judged, and what it brings.
import type { X509Certificate } from 'node:crypto';
import type { Codec, CodecOptions } from '../codec/codec.js';
import type { DocumentTree, XmlContent } from '../codec/document-tree.js';
import type { TranslationProblem } from '../pipeline/translator.js';
import type { CaisRecord } from '../records/record-types.js';
import type { SoapVersion } from '../codec/soap-envelope.js';
import type { ErrorSet } from './error-set.js';
import type { KeyCapabilities } from '../security/key-capabilities.js';
import type { SigningProfile } from '../security/signing-profile.js';
import type { MessageStore } from '../store/message-store.js';
import type { As2Receipt } from '../transport/as2-receipt.js';
import type { Transport } from '../transport/transport.js';

/** How a partner's message is rendered and protected. */
export interface MessageSpec {
  /** One line saying what the message is, for listings and docs. */
  description: string;
  /** Registered codec that renders the mapped document: `xml`, `edifact`, `json`, `csv`, or one the adapter brings. */
  codec: string;
  /** Settings for the codec (e.g. `{ columns: [...] }` for CSV). */
  codecOptions?: CodecOptions;
  /**
   * Registered signing profile applied to the rendered document before it is logged: `none`,
   * `xmldsig` (enveloped, RSA or ECDSA by our key), `cms` (CMS SignedData), or one the adapter brings.
   * It signs with our key for the partner instance.
   */
  signing: string;
  /**
   * JSON Schema of the mapped document (its object form), a file under `schemas/partners/<adapter>/`.
   * Checked before rendering so a mapping mistake never reaches the partner.
   */
  schema?: string;
  /**
   * A look-up the adapter's own API route sends and answers at once (a question to the partner, not a
   * delivery): ingest never routes records to its mappings and nothing is queued; the route turns the
   * CAIS record into the document with {@link PartnerRouteDeps.translate}.
   */
  lookup?: boolean;
  /**
   * Business keys of this message whose values no two records' messages to the partner may share (a
   * reference the partner keeps unique, such as an EDIFACT interchange control reference): a record whose
   * document would reuse one held by another record's message is refused (`GW_ERR_KEY_NOT_UNIQUE`); the
   * same record again (a repeat, or a resend) keeps its own.
   */
  uniqueKeys?: readonly string[];
  /**
   * The adapter's profiles (`default` for its main protocol) whose instances send this message: an
   * instance configured with another profile gets no document of it (its mappings do not route).
   * Default: every profile.
   */
  profiles?: readonly string[];
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

/**
 * What an adapter's functions know of the partner instance they serve, and what they may do with
 * its keys. Keys themselves are never handed out: only what they can do.
 */
export interface PartnerContext {
  /** Partner instance id (several instances may share one adapter). */
  readonly partner: string;
  /** Adapter name (its folder). */
  readonly adapter: string;
  /** Codes this partner instance and we are known by in its protocol (partners file `participants`). */
  readonly participants: Readonly<Record<string, string>>;
  /** Adapter options of this instance (partners file `options`, checked against the adapter's declaration). */
  readonly options: Readonly<Record<string, string>>;
  /**
   * URL of one of the partner's services (`default` when not named); a service without its own URL
   * uses the default one.
   */
  url(service?: string): string;
  /** Our key for this partner: sign, decrypt, and our certificate. */
  readonly identity: KeyCapabilities;
  /**
   * Our earlier keys for this partner (partners file `keys.retiredKeys`), during a key rollover: to
   * open what the partner still encrypts for an earlier certificate. Never for signing.
   */
  readonly retiredIdentities: readonly KeyCapabilities[];
  /** The partner's pinned certificates (signing, encryption), the current one first. */
  readonly partnerCertificates: readonly X509Certificate[];
  /** Applies a registered signing profile with our key for this partner. */
  sign(profile: string, document: Buffer): Buffer;
  /** {@link sign} with the private-key operation on libuv's thread pool where the profile can, so the event loop does not wait for it. */
  signAsync(profile: string, document: Buffer): Promise<Buffer>;
}

/** A plain HTTP request; the default transport. */
export interface HttpRequest {
  transport?: 'http';
  method: 'POST' | 'PUT';
  /** Path appended to the service URL; '' posts to the URL itself (a SOAP endpoint). */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Service whose URL it goes to (default `default`). */
  service?: string;
}

/** A SOAP call: the `soap` transport sets Content-Type and SOAPAction for the version and POSTs the envelope. */
export interface SoapRequest {
  transport: 'soap';
  version: SoapVersion;
  action: string;
  /** The whole envelope, as built (and signed) by the adapter. */
  envelope: Buffer;
  /** Extra HTTP headers. */
  headers?: Record<string, string>;
  /** Path appended to the service URL (default: the URL itself). */
  path?: string;
  service?: string;
}

/** A document for the `as2` transport: signed as S/MIME with our key and sent with AS2 headers, a signed MDN requested. */
export interface As2Request {
  transport: 'as2';
  /** The document bytes. */
  content: Buffer;
  /** Its media type, e.g. `application/EDIFACT`. */
  contentType: string;
  /** File name offered in Content-Disposition. */
  fileName?: string;
  /** AS2 Subject header. */
  subject?: string;
  /** Our message id; becomes the AS2 `Message-ID` (`<id@as2From>`), the same on every attempt. */
  messageId: string;
  /** Encrypt the signed entity for the partner's current pinned certificate (S/MIME enveloped data, AES-256-CBC, RSAES-OAEP). */
  encrypt?: boolean;
  service?: string;
}

/** A request for a transport an adapter registered itself. */
export interface CustomTransportRequest {
  transport: string;
  service?: string;
  [field: string]: unknown;
}

/** What an adapter hands its transport: the `transport` field names the registered transport (`http` when absent). */
export type TransportRequest = HttpRequest | SoapRequest | As2Request | CustomTransportRequest;

/** What one attempt produced: the partner's response, or why there was none. */
export type AttemptResult =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: Buffer;
      durationMs: number;
      /** The AS2 transport's reading of the MDN that answered, when the request was AS2. */
      receipt?: As2Receipt;
    }
  | {
      kind: 'error';
      /**
       * timeout: no whole answer in time (the request may have arrived: in doubt); connect: nothing was
       * sent; reset: the connection broke mid-exchange (in doubt); oversize: the answer exceeded the
       * limit and was not read (the partner had the request: in doubt).
       */
      error: 'timeout' | 'connect' | 'reset' | 'oversize';
      message: string;
      durationMs: number;
    };

/** The four verdicts on an attempt. */
export type Verdict = 'delivered' | 'retry' | 'failed' | 'needs-human';

/** The partner's verdict on an attempt. */
export interface Outcome {
  verdict: Verdict;
  /** The partner's own return or error code, when it gave one. */
  partnerCode?: string;
  /** Why, in words. */
  reason: string;
  /**
   * Business keys the answer gives the message (e.g. the partner's own id of it, by which its later
   * pushes name it): stored with the attempt's record, in the same transaction, replacing keys of the
   * same name; searchable like the mapping's keys.
   */
  businessKeys?: Readonly<Record<string, string>>;
}

/** A partner return or error code the adapter documents, and what it means for the message. */
export interface AcknowledgementCode {
  meaning: string;
  verdict: Verdict;
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
  /** Registered transport the requests travel by: `http` (default), `soap`, `as2`, or one the adapter brings. */
  kind?: string;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Attempts in flight at once, at most. */
  concurrency: number;
  /** Largest answer read (default 4 MiB); a longer one is the `oversize` error, never cut short. */
  maxResponseBytes?: number;
  /** Builds the request for one attempt (wraps, encrypts, adds the message id). */
  buildRequest(message: OutboundMessage, context: PartnerContext): TransportRequest;
  /**
   * Sends several messages in one request (several records in one upload). Messages wait
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
  /**
   * For a partner that caps a request's size: the bytes the members of a batch may add to it together,
   * and how many one adds. A batch is sent before a message would take it over the budget (a message
   * heavier than the whole budget travels alone).
   */
  maxBytes?: { budget: number; weigh(message: OutboundMessage): number };
  /** Builds the one request for the batch; `batchId` is its message id towards the partner. */
  buildBatchRequest(messages: readonly OutboundMessage[], batchId: string, context: PartnerContext): TransportRequest;
}

/** What an adapter's own API routes and schedules may use (see {@link PartnerDefinition.routes}). */
export interface PartnerRouteDeps {
  /** Registers a route on the gateway's API; the path must start with `/v1/`. Auth is required via `roles`. */
  route(spec: PartnerRoute): void;
  /** Sends a built request to this partner (same transports, URLs, keys and timeouts as deliveries). */
  send(request: TransportRequest): Promise<AttemptResult>;
  /** The partner instance and its key capabilities. */
  context(): PartnerContext;
  /** The message log (e.g. to find what was sent for a carnet). */
  store: MessageStore;
  /** The partner instance these routes and schedules serve (its id: a route of an adapter with several instances names it in its path). */
  partner: string;
  /** A key-value area of the log reserved for this partner's own records (e.g. reconciliation requests). */
  records: PartnerRecords;
  /**
   * Validates a CAIS record against its schema and maps it with this partner's look-up mapping for its
   * type (a mapping whose target message is a {@link MessageSpec.lookup}); the document is checked
   * against the message's schema, not rendered, signed or logged: the route sends and logs it.
   */
  translate(value: unknown): Promise<LookupTranslation>;
}

/** A CAIS record mapped for a look-up, or every problem that stopped it (bad record, no look-up mapping, a mapping or document error). */
export type LookupTranslation =
  | { ok: true; record: CaisRecord; document: DocumentTree; mapping: { id: string; version: number; sha256: string }; businessKeys: Record<string, string> }
  | { ok: false; problems: TranslationProblem[] };

/** A route an adapter adds to the API. */
export interface PartnerRoute {
  method: 'GET' | 'POST';
  /** Fastify path, e.g. `/v1/<protocol>/queries/:number`. */
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
  /** A record with its revision (1 on first write, one more with each write), or undefined. */
  read(kind: string, id: string): Promise<{ value: unknown; revision: number } | undefined>;
  /**
   * Compare-and-set: writes only when the record's revision is still `expectedRevision` (null: only
   * when it does not exist yet), against every writer, other gateway instances on the same log
   * included. True when written.
   */
  swap(kind: string, id: string, key: string, value: unknown, expectedRevision: number | null, now: number): Promise<boolean>;
  /** Records of a kind, optionally only those with this key value, newest first. */
  list(kind: string, key?: string): Promise<Array<{ id: string; key: string; value: unknown; updatedAt: number }>>;
}

/** An adapter setting that partners-file entries give under `options` (or `GATEWAY_PARTNER_<ID>_OPTION_<NAME>`). */
export interface OptionSpec {
  description: string;
  /** Used when an instance gives none; an option without default and without `required` may be absent. */
  default?: string;
  required?: boolean;
  /** Never logged or shown (passwords): give it by environment variable, not in the partners file. */
  secret?: boolean;
  /** Allowed values, when they are few. */
  values?: readonly string[];
}

/** The participant naming the sender of inbound documents when the adapter does not say (see {@link InboundSpec.senderParticipant}). */
export const DEFAULT_SENDER_PARTICIPANT = 'sender';

/** A document type a partner pushes to us; inbound mapping files (`direction: in`) turn it into CAIS records. */
export interface InboundMessageSpec {
  /** One line saying what the document is, for listings and docs. */
  description: string;
}

/** What the gateway needs from a verified inbound document, as the adapter reads it. */
export interface InboundEnvelope {
  /** Message type: one of the adapter's `inbound.messages`. */
  messageType: string;
  /** The partner's id of this message (from the signed document): the deduplication key. */
  messageId: string;
  /** The sender the document declares; must equal the instance's sender participant. */
  sender: string;
  /**
   * One of our documents this one answers, named by a business key our outbound mapping logs for it
   * (e.g. `envelopeId`) and its value; the log links the two when it finds that document.
   */
  answers?: { key: string; value: string };
  /** Set when the push acknowledges the message it answers (a signal or a business answer) instead of carrying a document for CAIS. */
  acknowledges?: Acknowledgement;
  /** What the adapter needs to write its replies to this push (its addresses, conversation …): plain text values. */
  replyContext?: Readonly<Record<string, string>>;
  /**
   * Set when the push lists earlier pushes of the partner (a period manifest): the gateway looks up which
   * of these partner message ids of this type it holds and gives them to the receipt as `outcome.held`.
   */
  inventory?: { messageType: string; messageIds: readonly string[] };
}

/** A document the gateway sends back to the partner for one of its pushes (a signal, a business answer), as the adapter writes it. */
export interface InboundReply {
  /** One of the adapter's `messages`: its signing profile signs the document. */
  messageType: string;
  /** The document, unsigned. */
  document: Buffer;
  /** Business keys for the log (e.g. the reply's own message id). */
  businessKeys: Record<string, string>;
  /** Its first attempt waits this long (e.g. so a business answer follows the syntax report sent with it); default at once. */
  delayMs?: number;
}

/** The layers of acknowledgement a partner may give one of our messages after taking it, in order. */
export type AcknowledgementStage = 'received' | 'accepted' | 'answered';

/** The order of the stages: an acknowledgement of a stage implies the ones before it. */
export const ACKNOWLEDGEMENT_STAGES: readonly AcknowledgementStage[] = ['received', 'accepted', 'answered'];

/**
 * A partner's push that acknowledges one of our messages (named by {@link InboundEnvelope.answers}):
 * a signal that it was received or accepted for processing, or the business answer. It is recorded on
 * that message and not handed to CAIS.
 */
export interface Acknowledgement {
  stage: AcknowledgementStage;
  /** The partner judged our message in error (an error signal, or an answer refusing it): the message fails. */
  rejected?: boolean;
  /** The partner's code and words, when it gave them. */
  code?: string;
  text?: string;
  /**
   * The partner could not take the message and asks for it again (not with `rejected`): it is sent
   * again as a repeat of its plan while repeats remain, else a person must look.
   */
  resend?: boolean;
}

/**
 * What the gateway awaits after the partner took a message: acknowledgement stages in order, each due
 * within its time of the one before (or of the delivery); when one is late the message is sent again,
 * `repeats` times at most, then a person must look.
 */
export interface AcknowledgementPlan {
  stages: ReadonlyArray<{ stage: AcknowledgementStage; withinMs: number; name: string }>;
  repeats: number;
}

/** The request a push came with, besides its body. */
export interface InboundRequest {
  /** Sub-path under `/v1/inbound/<partner>`: `''`, or one of `inbound.paths`. */
  path: string;
  /** Request headers, lower-case names. */
  headers: Readonly<Record<string, string>>;
}

/** How a push ended, for the receipt or refusal the adapter writes. */
export type InboundOutcome =
  | {
      accepted: true;
      /** Our id of the inbound message in the log. */
      id: string;
      envelope: InboundEnvelope;
      receivedAt: Date;
      /** SHA-256 of the exact bytes received. */
      payloadDigest: Buffer;
      /** For a push with an {@link InboundEnvelope.inventory}: the listed message ids the log holds. */
      held?: ReadonlySet<string>;
    }
  | {
      accepted: false;
      /** The GW_ERR_* code of the refusal and why, in words. */
      code: string;
      reason: string;
      /** HTTP status of the refusal (from the error catalogue). */
      status: number;
      /** What could be read of the envelope before the refusal (nothing when the signature failed). */
      envelope?: Partial<InboundEnvelope>;
      receivedAt: Date;
      payloadDigest: Buffer;
    };

/** A receipt or refusal document before the gateway signs it. */
export interface InboundAnswer {
  contentType: string;
  body: Buffer;
}

/**
 * How a partner pushes documents to us: `POST /v1/inbound/<partner>` over mutual TLS, an XMLDSig
 * signed document verified against the partner's pinned signing certificates, answered with a
 * signed receipt in the partner's format.
 */
export interface InboundSpec {
  /** Document types the partner pushes, by name. */
  messages: Readonly<Record<string, InboundMessageSpec>>;
  /** Media types a push may carry (default `application/xml`, `text/xml`); another gets 415. */
  mediaTypes?: readonly string[];
  /** Largest push in bytes (default 1 MiB); a longer one is refused unread. */
  maxBytes?: number;
  /** Sub-paths under `/v1/inbound/<partner>` that take pushes too (e.g. `/soap`), each starting with `/`. */
  paths?: readonly string[];
  /** Participant of the instance whose code the document must declare as sender (default `sender`); the adapter declares it in `participants`. */
  senderParticipant?: string;
  /**
   * Reads the envelope from the verified document: the signed content only, parsed.
   * @throws GatewayError (GW_ERR_INBOUND_UNREADABLE) when the document lacks what the envelope needs, or
   *   the adapter's own code when it refuses what it read; a detail `envelope` (text fields of what was
   *   read, e.g. the message id) reaches the refusal's receipt as `outcome.envelope`.
   */
  read(document: XmlContent, request: InboundRequest, context: PartnerContext): InboundEnvelope;
  /** Refusal codes that are faults of the push's header block: each such refusal is also a `header-error` diagnostic event. */
  headerErrors?: readonly string[];
  /**
   * Signing profile of receipts and refusals (our key for this partner), e.g. `xmldsig`. The partner's
   * own enveloped signature is looked for where this profile puts ours (its `placement`; default `root`).
   */
  receiptSigning: string;
  /**
   * Pushes signed as CMS SignedData (DER, the content inside: e.g. a CSV file) instead of XMLDSig: a push
   * with one of these media types is verified against the partner's pinned certificates (certificates
   * in the message are ignored), and `read` makes of its content the envelope and the document tree the
   * inbound mappings read (an XML-like tree: elements as keys, `@name` attributes, text values).
   */
  cms?: {
    mediaTypes: readonly string[];
    /** @throws GatewayError as {@link InboundSpec.read} */
    read(content: Buffer, request: InboundRequest, context: PartnerContext): { envelope: InboundEnvelope; document: XmlContent };
  };
  /**
   * Pushes sent as AS2 messages (RFC 4130: a request with `AS2-Version`, an S/MIME multipart/signed body):
   * the gateway checks AS2-From and AS2-To against the participants `as2To` (the partner) and `as2From`
   * (us), verifies the signature with the partner's pinned certificates, hands the signed document to
   * `read`, and answers every such push with our signed MDN (RFC 8098) carrying the MIC of what came:
   * `processed` when the push is taken, `processed/error` with the refusal's code when not (a refusal the
   * partner should repeat, such as a busy log, is its HTTP status instead). `receipt` is not called for them.
   */
  as2?: {
    /** The adapter's profiles whose instances take AS2 pushes (default every profile); another instance answers them 415. */
    profiles?: readonly string[];
    /** True when the instance's agreement requires pushes to come encrypted: an unencrypted one is refused (`GW_ERR_INBOUND_NOT_ENCRYPTED`, MDN `insufficient-message-security`). */
    requiresEncryption?(context: PartnerContext): boolean;
    /** @throws GatewayError as {@link InboundSpec.read} */
    read(document: InboundAs2Document, request: InboundRequest, context: PartnerContext): { envelope: InboundEnvelope; document: XmlContent };
  };
  /** Writes the receipt (accepted) or refusal document, unsigned; the gateway signs it. */
  receipt(outcome: InboundOutcome, context: PartnerContext): InboundAnswer;
  /**
   * Documents to send back for an accepted push (the protocol's signals and business answer), besides
   * the receipt: logged and delivered like any message to the partner, created once per push (a
   * repeated push creates them if a crash lost them, never twice).
   */
  replies?(accepted: { id: string; envelope: InboundEnvelope; receivedAt: Date }, context: PartnerContext): InboundReply[];
  /**
   * Documents to send back for a push refused after its signature verified and its envelope was read
   * (e.g. a syntax report rejecting it): logged and delivered like replies, once per refused push (by its
   * `identity`: the same push refused again creates none).
   */
  refusalReplies?(refused: InboundRefused, context: PartnerContext): InboundReply[];
}

/** The signed document of an AS2 push, its transfer encoding undone. */
export interface InboundAs2Document {
  content: Buffer;
  /** Its Content-Type as sent (e.g. `application/EDIFACT`). */
  contentType: string;
  /** The file name its Content-Disposition offers. */
  fileName?: string;
}

/** A push refused after its envelope was read, for {@link InboundSpec.refusalReplies}. */
export interface InboundRefused {
  /** The GW_ERR_* code of the refusal and why, in words. */
  code: string;
  reason: string;
  /** What was read of the envelope. */
  envelope: Partial<InboundEnvelope>;
  receivedAt: Date;
  /** SHA-256 that identifies the push: of its bytes, or of an AS2 push's signed document (a resend is signed anew). */
  identity: Buffer;
}

/** What an {@link PartnerDefinition.envelope} hook knows of the partner instance: ids, participant codes and options. */
export type PartnerInstance = Pick<PartnerContext, 'partner' | 'adapter' | 'participants' | 'options'>;

/** A rendered document about to be wrapped, with what the log will know of it. */
export interface DocumentToWrap {
  messageType: string;
  /** The rendered (and, for a later version, superseding) document. */
  document: Buffer;
  /** The business keys the mapping computed for it. */
  businessKeys: Readonly<Record<string, string>>;
}

/** An alternative protocol of the same partner, chosen by configuration (`profile`). */
export interface PartnerProfile {
  transport: TransportSpec;
  classify: PartnerDefinition['classify'];
  /** The codes this profile documents, as {@link PartnerDefinition.codes}. */
  codes?: Readonly<Record<string, AcknowledgementCode>>;
  /** Replaces the adapter's {@link PartnerDefinition.envelope} (e.g. to refuse, at translation, what this protocol cannot carry). */
  envelope?: PartnerDefinition['envelope'];
}

/** A partner adapter: data plus the few functions its protocol needs. Adapters never import each other. */
export interface PartnerDefinition {
  /** Adapter name, equal to its folder name; instances of it get their own ids. */
  id: string;
  /** Human name of the partner (instances may name themselves otherwise). */
  name: string;
  /** Message types this partner receives, by name. */
  messages: Record<string, MessageSpec>;
  /** How documents travel to it. */
  transport: TransportSpec;
  /** Documents the partner pushes to us, when it does. */
  inbound?: InboundSpec;
  /** Judges every attempt: HTTP status, SOAP fault, partner return code → delivered, retry, failed or needs-human. */
  classify(result: AttemptResult, context: PartnerContext): Outcome;
  retry: RetryPolicy;
  circuitBreaker: CircuitBreakerPolicy;
  /**
   * The partner's return and error codes, each with its verdict: `classify` gives this verdict and
   * this code as `partnerCode` for an answer carrying it, the README lists them, and the simulator
   * can answer with each. The conformance suite holds all three to this table.
   */
  codes?: Readonly<Record<string, AcknowledgementCode>>;
  /**
   * The acknowledgements the gateway awaits after the partner took a message of this type (its
   * transaction template), or undefined when the transport's answer is the last word.
   */
  acknowledgementPlan?(message: { messageType: string }, context: PartnerContext): AcknowledgementPlan | undefined;
  /** The adapter's own GW_ERR_* codes (from `defineErrors`), listed in its README. */
  errors?: ErrorSet;
  /** Participant codes an instance must give (partners file `participants`), with what each is. */
  participants?: Readonly<Record<string, string>>;
  /** Adapter options an instance may give. */
  options?: Readonly<Record<string, OptionSpec>>;
  /** Services with their own URLs besides `default` (e.g. a query service), with what each is. */
  services?: Readonly<Record<string, string>>;
  /** Codecs, signing profiles and transports this adapter brings (registered when it loads). */
  codecs?: readonly Codec[];
  signingProfiles?: readonly SigningProfile[];
  transports?: readonly Transport[];
  /** Extra API routes of this partner's protocol (queries, reconciliation). */
  routes?(deps: PartnerRouteDeps): void;
  /**
   * A later version of a record replaces one this partner may have received: given the document
   * rendered for the new version (before signing) and the one logged for the version before (as
   * logged: signed when the message's profile signs, so an adapter that copies from it removes that
   * signature), returns the document that must be signed and sent (e.g. a cancel record repeating
   * what was sent, then the new record, in one document).
   */
  supersede?(next: Buffer, previous: Buffer): Buffer;
  /**
   * Wraps a rendered document in the partner's transport envelope before it is signed and logged (the
   * signature then covers the envelope's headers too), given the message's business keys and the
   * partner instance. A GatewayError it throws refuses the record for this partner, with its code.
   */
  envelope?(message: DocumentToWrap, instance: PartnerInstance): Buffer;
  /** Alternative protocols of the same partner, chosen by configuration (`profile`), replacing transport, classifier and codes. */
  profiles?: Readonly<Record<string, PartnerProfile>>;
  /** What the adapter calls its main protocol (e.g. the standard it speaks): an instance may give it as `profile`, the same as `default`. */
  defaultProfile?: string;
  /**
   * Called once the log holds an attempt the partner took (recorded delivered), with its answer: to note
   * what later work needs in the adapter's partner records (e.g. what to ask the partner's status
   * service about). An error it throws is logged; the delivery stands.
   */
  delivered?(message: OutboundMessage, result: AttemptResult, deps: PartnerRouteDeps): Promise<void>;
  /** Periodic work (e.g. pulling reconciliation requests), started with the gateway. */
  schedules?: ReadonlyArray<{ name: string; everyMs: number; run(deps: PartnerRouteDeps): Promise<void> }>;
}

/** Declares a partner adapter; returns the definition unchanged, typed. */
export function definePartner(definition: PartnerDefinition): PartnerDefinition {
  return definition;
}
