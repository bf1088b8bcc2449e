// The one catalogue of GW_ERR_* codes: what each means, its HTTP status and whether a retry can help.

/** One entry of the error catalogue. */
export interface ErrorSpec {
  /** Human-readable meaning, shown in the README table. */
  readonly message: string;
  /** HTTP status the API answers with when this error reaches a client. */
  readonly httpStatus: number;
  /** True when repeating the same request later may succeed. */
  readonly retryable: boolean;
}

/** Every error an operator, partner or auditor can see. Codes are stable: never rename one. */
export const ERRORS = {
  GW_ERR_RECORD_INVALID: { message: 'CAIS record violates its JSON Schema', httpStatus: 400, retryable: false },
  GW_ERR_RECORD_TYPE_UNKNOWN: { message: 'CAIS record type is not one the gateway knows', httpStatus: 400, retryable: false },
  GW_ERR_RECORD_UNREADABLE: { message: 'input is not a JSON record or array of records', httpStatus: 400, retryable: false },
  GW_ERR_NO_ROUTE: { message: 'no mapping applies to this record', httpStatus: 422, retryable: false },
  GW_ERR_MAPPING_INVALID: { message: 'mapping file is malformed or violates schemas/mapping.schema.json', httpStatus: 500, retryable: false },
  GW_ERR_MAPPING_EXPRESSION: { message: 'a JSONata expression in a mapping failed to compile or evaluate', httpStatus: 500, retryable: false },
  GW_ERR_MAPPING_CODE_UNKNOWN: { message: 'a value has no entry in the mapping code list', httpStatus: 422, retryable: false },
  GW_ERR_MAPPING_GOLDEN_MISMATCH: { message: 'a mapping golden test produced a different document', httpStatus: 500, retryable: false },
  GW_ERR_DOCUMENT_INVALID: { message: 'mapped document violates the partner document schema', httpStatus: 422, retryable: false },
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
  GW_ERR_SIGNATURE_INVALID: { message: 'XML signature does not verify against the pinned key', httpStatus: 401, retryable: false },
  GW_ERR_SIGNATURE_POLICY: { message: 'XML signature shape or algorithm is not allowed by policy', httpStatus: 401, retryable: false },
  GW_ERR_SIGNATURE_MISSING: { message: 'document must be signed but carries no signature', httpStatus: 401, retryable: false },
  GW_ERR_KEY_UNAVAILABLE: { message: 'signing key or certificate is missing or unreadable', httpStatus: 500, retryable: false },
  GW_ERR_PARTNER_UNKNOWN: { message: 'partner is not configured', httpStatus: 404, retryable: false },
  GW_ERR_CONFIG_INVALID: { message: 'configuration value is missing or invalid', httpStatus: 500, retryable: false },
  GW_ERR_REQUEST_INVALID: { message: 'request does not match the API schema', httpStatus: 400, retryable: false },
  GW_ERR_REQUEST_TOO_LARGE: { message: 'request body exceeds the allowed size', httpStatus: 413, retryable: false },
  GW_ERR_UNAUTHENTICATED: { message: 'missing or unknown bearer token', httpStatus: 401, retryable: false },
  GW_ERR_FORBIDDEN: { message: 'the token lacks the role this operation needs', httpStatus: 403, retryable: false },
  GW_ERR_NOT_FOUND: { message: 'no such message or resource', httpStatus: 404, retryable: false },
  GW_ERR_STATE_CONFLICT: { message: 'the message is not in a state that allows this operation', httpStatus: 409, retryable: false },
  GW_ERR_OUTBOX_FULL: { message: 'too many accepted messages wait for the queue (broker blocked or unreachable); try again after Retry-After', httpStatus: 503, retryable: true },
  GW_ERR_STORE_UNAVAILABLE: { message: 'the message log cannot be reached; nothing was accepted', httpStatus: 503, retryable: true },
  GW_ERR_INTERNAL: { message: 'unexpected internal error; nothing partial was accepted', httpStatus: 500, retryable: true },
  // IRU Real-Time SafeTIR queries and reconciliation (adapters/iru-safetir).
  GW_ERR_CARNET_NUMBER_INVALID: { message: 'TIR carnet number does not match IRU pattern: two letters, then digits, 12 characters at most', httpStatus: 400, retryable: false },
  GW_ERR_PARTNER_UNAVAILABLE: { message: 'the partner could not be reached or answered with a temporary error; try again later', httpStatus: 502, retryable: true },
  GW_ERR_PARTNER_TIMEOUT: { message: 'the partner did not answer in time; try again later', httpStatus: 504, retryable: true },
  GW_ERR_PARTNER_REJECTED: { message: 'the partner refused the request; its return code or SOAP fault is in the message', httpStatus: 502, retryable: false },
  GW_ERR_PARTNER_ANSWER_INVALID: { message: 'the partner answer could not be opened or read', httpStatus: 502, retryable: false },
  GW_ERR_RECONCILIATION_NOT_FOUND: { message: 'no such reconciliation request', httpStatus: 404, retryable: false },
  GW_ERR_RECONCILIATION_ANSWERED: { message: 'the reconciliation request has already been answered', httpStatus: 409, retryable: false },
  GW_ERR_RECONCILIATION_REPLY_INVALID: { message: 'the reply does not fit the reconciliation request', httpStatus: 422, retryable: false },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERRORS;

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

  /** HTTP status from the catalogue. */
  get httpStatus(): number {
    return ERRORS[this.code].httpStatus;
  }

  /** Whether retrying may help, from the catalogue. */
  get retryable(): boolean {
    return ERRORS[this.code].retryable;
  }
}
