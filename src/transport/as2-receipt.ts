// What the AS2 transport read from the MDN that answered a message (RFC 4130 §7, RFC 3798).

/** The disposition a receiving AS2 system reported, and whether we may believe it. */
export interface As2Receipt {
  /** True when the MDN was signed (multipart/signed). */
  signed: boolean;
  /** True when the MDN's signature verified with one of the partner's pinned certificates. */
  verified: boolean;
  /** `Original-Message-ID` of the MDN, angle brackets included. */
  originalMessageId?: string;
  /** `Disposition` as sent, e.g. `automatic-action/MDN-sent-automatically; processed`. */
  disposition: string;
  /** Disposition type: `processed`, `failed`, `deleted` … ('' when unreadable). */
  dispositionType: string;
  /** Modifier after the slash: `error`, `warning`, `failure`, with its description, when any. */
  modifier?: { kind: string; description: string };
  /** `Received-Content-MIC` as sent (`base64, sha-256`). */
  receivedMic?: string;
  /** True when the MIC matches the one we computed for what we sent. */
  micMatches: boolean;
  /** Everything that made the receipt doubtful, in words. */
  problems: string[];
}
