// The one catalogue of GW_ERR_* codes: the core's own, plus those adapters register when they load.

/** One entry of the error catalogue. */
export interface ErrorSpec {
  /** Human-readable meaning, shown in the README table. */
  readonly message: string;
  /** HTTP status the API answers with when this error reaches a client. */
  readonly httpStatus: number;
  /** True when repeating the same request later may succeed. */
  readonly retryable: boolean;
}

/** The core's errors: every one an operator, partner or auditor can see. Codes are stable: never rename one. */
export const CORE_ERRORS = {
  GW_ERR_RECORD_INVALID: { message: 'CAIS record violates its JSON Schema', httpStatus: 400, retryable: false },
  GW_ERR_RECORD_CARNET_CHECK_LETTERS: { message: "TIR carnet number's check letters are not the ones the TIR numbering rule gives its number", httpStatus: 400, retryable: false },
  GW_ERR_RECORD_TYPE_UNKNOWN: { message: 'CAIS record type is not one the gateway knows', httpStatus: 400, retryable: false },
  GW_ERR_RECORD_UNREADABLE: { message: 'input is not a JSON record or array of records', httpStatus: 400, retryable: false },
  GW_ERR_MIRROR_INPUT_INVALID: { message: 'a mirror-comparison input file is unreadable, or a row breaks its column rules (file, line and column named)', httpStatus: 400, retryable: false },
  GW_ERR_STATS_INPUT_INVALID: { message: 'a statistics file (SDMX-CSV) or an export option is unreadable or breaks the data structure (file, line and column named)', httpStatus: 400, retryable: false },
  GW_ERR_NO_ROUTE: { message: 'no mapping applies to this record', httpStatus: 422, retryable: false },
  GW_ERR_MAPPING_INVALID: { message: 'mapping file is malformed or violates schemas/mapping.schema.json', httpStatus: 500, retryable: false },
  GW_ERR_MAPPING_EXPRESSION: { message: 'a JSONata expression in a mapping failed to compile or evaluate', httpStatus: 500, retryable: false },
  GW_ERR_MAPPING_REFUSED: { message: 'an uploaded mapping file is refused: each violation names its problem and pointer', httpStatus: 400, retryable: false },
  GW_ERR_MAPPING_CODE_UNKNOWN: { message: 'a value has no entry in the mapping code list', httpStatus: 422, retryable: false },
  GW_ERR_MAPPING_GOLDEN_MISMATCH: { message: 'a mapping golden test produced a different document', httpStatus: 500, retryable: false },
  GW_ERR_DOCUMENT_INVALID: { message: 'mapped document violates the partner document schema', httpStatus: 422, retryable: false },
  GW_ERR_KEY_NOT_UNIQUE: { message: "the document would carry a reference another record's message to the partner already carries (a business key its message type keeps unique, such as an EDIFACT interchange control reference)", httpStatus: 409, retryable: false },
  GW_ERR_XML_MALFORMED: { message: 'XML is not well-formed', httpStatus: 400, retryable: false },
  GW_ERR_XML_DOCTYPE: { message: 'XML carries a DOCTYPE or entity declaration, which is refused', httpStatus: 400, retryable: false },
  GW_ERR_XML_TOO_DEEP: { message: 'XML nesting exceeds the allowed depth', httpStatus: 400, retryable: false },
  GW_ERR_XML_TOO_LARGE: { message: 'XML exceeds the allowed size', httpStatus: 413, retryable: false },
  GW_ERR_XML_FORBIDDEN_NAME: { message: 'XML uses a reserved element or attribute name such as __proto__', httpStatus: 400, retryable: false },
  GW_ERR_XML_NAMESPACE: { message: 'XML root element is not in the expected namespace', httpStatus: 400, retryable: false },
  GW_ERR_XML_CHAR: { message: 'value contains a character XML 1.0 cannot carry', httpStatus: 422, retryable: false },
  GW_ERR_EDIFACT_SYNTAX: { message: 'EDIFACT interchange is malformed', httpStatus: 400, retryable: false },
  GW_ERR_EDIFACT_COUNT: { message: 'EDIFACT segment or message count does not match UNT/UNZ', httpStatus: 400, retryable: false },
  GW_ERR_EDIFACT_CHARSET: { message: 'character is not in the EDIFACT syntax character set', httpStatus: 422, retryable: false },
  GW_ERR_EDIFACT_GRAMMAR: { message: "EDIFACT message breaks its message's segment table (a mandatory segment missing, a repeat over its maximum, a segment out of place)", httpStatus: 422, retryable: false },
  GW_ERR_MIME_MALFORMED: { message: 'MIME entity or CMS structure is malformed or exceeds its size limits', httpStatus: 400, retryable: false },
  GW_ERR_SIGNATURE_INVALID: { message: 'signature does not verify against the pinned key', httpStatus: 401, retryable: false },
  GW_ERR_SIGNATURE_POLICY: { message: 'signature shape or algorithm is not allowed by policy', httpStatus: 401, retryable: false },
  GW_ERR_SIGNATURE_MISSING: { message: 'document must be signed but carries no signature', httpStatus: 401, retryable: false },
  GW_ERR_KEY_UNAVAILABLE: { message: 'a key or certificate is missing, unreadable or unfit for its use', httpStatus: 500, retryable: false },
  GW_ERR_INBOUND_NOT_ENCRYPTED: { message: "the push came unencrypted, and the partner's agreement requires encryption", httpStatus: 403, retryable: false },
  GW_ERR_DECRYPTION_FAILED: { message: 'an encrypted message could not be opened with our keys (encrypted for another certificate, with an algorithm not taken, or damaged)', httpStatus: 400, retryable: false },
  GW_ERR_PARTNER_UNKNOWN: { message: 'partner is not configured', httpStatus: 404, retryable: false },
  GW_ERR_CONFIG_INVALID: { message: 'configuration value is missing or invalid', httpStatus: 500, retryable: false },
  GW_ERR_ADAPTER_UNKNOWN: { message: 'a partner names an adapter that no folder in adapters/ provides', httpStatus: 500, retryable: false },
  GW_ERR_ADAPTER_INVALID: { message: 'a partner adapter does not load or its definition is malformed', httpStatus: 500, retryable: false },
  GW_ERR_REQUEST_INVALID: { message: 'request does not match the API schema', httpStatus: 400, retryable: false },
  GW_ERR_REQUEST_TOO_LARGE: { message: 'request body exceeds the allowed size', httpStatus: 413, retryable: false },
  GW_ERR_UNSUPPORTED_MEDIA_TYPE: { message: 'the request body has a media type this route does not take', httpStatus: 415, retryable: false },
  GW_ERR_UNAUTHENTICATED: { message: 'missing or unknown bearer token', httpStatus: 401, retryable: false },
  GW_ERR_FORBIDDEN: { message: 'the token lacks the role this operation needs', httpStatus: 403, retryable: false },
  GW_ERR_NOT_FOUND: { message: 'no such message or resource', httpStatus: 404, retryable: false },
  GW_ERR_STATE_CONFLICT: { message: 'the message is not in a state that allows this operation', httpStatus: 409, retryable: false },
  GW_ERR_TOO_MANY_ATTEMPTS: { message: 'too many refused sign-ins from this address; wait a few minutes', httpStatus: 429, retryable: true },
  GW_ERR_COUNT_UNCONFIRMED: { message: 'a bulk export or resend must confirm the number of messages it will touch', httpStatus: 409, retryable: false },
  GW_ERR_EXPORT_TOO_LARGE: { message: 'the export would hold more messages than one export may', httpStatus: 413, retryable: false },
  GW_ERR_OUTBOX_FULL: { message: 'too many accepted messages wait for the queue (broker blocked or unreachable); try again after Retry-After', httpStatus: 503, retryable: true },
  GW_ERR_STORE_UNAVAILABLE: { message: 'the message log cannot be reached; nothing was accepted', httpStatus: 503, retryable: true },
  GW_ERR_INTERNAL: { message: 'unexpected internal error; nothing partial was accepted', httpStatus: 500, retryable: true },
  // Synchronous calls to partners (look-ups an API route forwards).
  GW_ERR_PARTNER_UNAVAILABLE: { message: 'the partner could not be reached or answered with a temporary error; try again later', httpStatus: 502, retryable: true },
  GW_ERR_PARTNER_TIMEOUT: { message: 'the partner did not answer in time; try again later', httpStatus: 504, retryable: true },
  GW_ERR_PARTNER_REJECTED: { message: 'the partner refused the request; its return code or SOAP fault is in the message', httpStatus: 502, retryable: false },
  GW_ERR_PARTNER_ANSWER_INVALID: { message: 'the partner answer could not be opened or read', httpStatus: 502, retryable: false },
  // Pushes partners make to the inbound endpoint; a refused push is not stored and may be sent again.
  GW_ERR_INBOUND_CLIENT_CERT: { message: 'the push came without a TLS client certificate, or with one pinned for no partner', httpStatus: 401, retryable: false },
  GW_ERR_INBOUND_TLS_MISMATCH: { message: 'the TLS client certificate is pinned for another partner than the one pushed to', httpStatus: 403, retryable: false },
  GW_ERR_INBOUND_SIGNER_MISMATCH: { message: 'the document is signed with a key pinned for another partner', httpStatus: 403, retryable: false },
  GW_ERR_INBOUND_SENDER_MISMATCH: { message: 'the sender the document declares is not the partner that pushed it', httpStatus: 403, retryable: false },
  GW_ERR_INBOUND_UNREADABLE: { message: 'the verified document lacks what its envelope needs (message id, type or sender)', httpStatus: 422, retryable: false },
  GW_ERR_INBOUND_MESSAGE_UNKNOWN: { message: 'the partner pushes no message of this type', httpStatus: 422, retryable: false },
  GW_ERR_INBOUND_UNMAPPED: { message: 'no inbound mapping applies to the document', httpStatus: 422, retryable: false },
  GW_ERR_INBOUND_ANSWERS_UNKNOWN: { message: 'the push acknowledges a message the log does not hold for this partner', httpStatus: 422, retryable: false },
  GW_ERR_INBOUND_RECORD_INVALID: { message: 'the document maps to a CAIS record that violates its JSON Schema', httpStatus: 422, retryable: false },
  GW_ERR_INBOUND_CONFLICT: { message: 'a message with this id was accepted before with other content', httpStatus: 409, retryable: false },
} as const satisfies Record<string, ErrorSpec>;

/** A code of the core catalogue. */
export type CoreErrorCode = keyof typeof CORE_ERRORS;

/** A stable error code: the core's, or one an adapter registered (`GW_ERR_` and upper-case words). */
export type ErrorCode = CoreErrorCode | (`GW_ERR_${string}` & {});

/** A catalogue entry with who registered it: `core` or an adapter's name. */
export interface CatalogueEntry extends ErrorSpec {
  readonly code: ErrorCode;
  readonly owner: string;
}

const CODE_PATTERN = /^GW_ERR_[A-Z][A-Z0-9_]*$/;
const catalogue = new Map<string, CatalogueEntry>(Object.entries(CORE_ERRORS).map(([code, spec]) => [code, { code: code as ErrorCode, owner: 'core', ...spec }]));

function same(a: ErrorSpec, b: ErrorSpec): boolean {
  return a.message === b.message && a.httpStatus === b.httpStatus && a.retryable === b.retryable;
}

/**
 * Adds an adapter's codes to the catalogue. Registering the same code again with the same meaning is a
 * no-op (a module loaded twice); anything else that collides is refused.
 * @throws GatewayError GW_ERR_CONFIG_INVALID for a malformed code, an HTTP status outside 400–599, or a
 *   code another owner registered (or this owner with another meaning).
 */
export function registerErrors(owner: string, specs: Readonly<Record<string, ErrorSpec>>): void {
  for (const [code, spec] of Object.entries(specs)) {
    if (!CODE_PATTERN.test(code)) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${owner}: error code "${code}" must match ${CODE_PATTERN.source}`, { owner });
    if (!Number.isInteger(spec.httpStatus) || spec.httpStatus < 400 || spec.httpStatus > 599) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${owner}: ${code} needs an HTTP status from 400 to 599`, { owner });
    }
    const known = catalogue.get(code);
    if (known && (known.owner !== owner || !same(known, spec))) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${owner}: error code ${code} is already registered by ${known.owner}`, { owner });
    }
    catalogue.set(code, { code: code as ErrorCode, owner, message: spec.message, httpStatus: spec.httpStatus, retryable: spec.retryable });
  }
}

/** The catalogue entry of a code; undefined for a code nobody registered. */
export function errorSpec(code: string): CatalogueEntry | undefined {
  return catalogue.get(code);
}

/** Every registered code, the core's first, then by owner and code. */
export function errorCatalogue(): CatalogueEntry[] {
  const entries = [...catalogue.values()];
  const core = entries.filter((e) => e.owner === 'core');
  const rest = entries.filter((e) => e.owner !== 'core').sort((a, b) => a.owner.localeCompare(b.owner) || a.code.localeCompare(b.code));
  return [...core, ...rest];
}

/** Extra facts attached to an error: the file, JSON pointer or field it concerns. */
export interface ErrorDetail {
  /** JSON pointer (RFC 6901) into the offending input, when there is one. */
  pointer?: string;
  /** File the error concerns, when there is one. */
  file?: string;
  /** Anything else that helps an operator find the cause. */
  [key: string]: unknown;
}

/** An error that carries a catalogue code; everything the gateway throws on purpose is one. */
export class GatewayError extends Error {
  /** Catalogue code, e.g. GW_ERR_RECORD_INVALID. */
  readonly code: ErrorCode;
  /** Where the error was found. */
  readonly detail: ErrorDetail;

  constructor(code: ErrorCode, reason: string, detail: ErrorDetail = {}, options?: { cause?: unknown }) {
    super(`${code}: ${reason}`, options);
    this.name = 'GatewayError';
    this.code = code;
    this.detail = detail;
  }

  /** HTTP status from the catalogue (500 for a code nobody registered). */
  get httpStatus(): number {
    return errorSpec(this.code)?.httpStatus ?? CORE_ERRORS.GW_ERR_INTERNAL.httpStatus;
  }

  /** Whether retrying may help, from the catalogue. */
  get retryable(): boolean {
    return errorSpec(this.code)?.retryable ?? CORE_ERRORS.GW_ERR_INTERNAL.retryable;
  }
}
