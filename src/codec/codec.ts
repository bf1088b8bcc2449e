// The codec contract: how a document value becomes the bytes a partner receives and back, and how golden files show it.

/** Settings a message passes to its codec (e.g. the columns of a CSV file). */
export type CodecOptions = Readonly<Record<string, unknown>>;

/** Renders and parses one document format; codecs are registered by name (built-ins and adapters'). */
export interface Codec {
  /** Registry name, used by `MessageSpec.codec` (`xml`, `edifact`, `json`, `csv`, or an adapter's). */
  readonly name: string;
  /** File extension of its documents, without the dot (golden files, `gateway translate` output). */
  readonly extension: string;
  /** Media type of its documents (`application/xml`, `application/EDIFACT` …). */
  readonly mediaType: string;
  /** How golden files of this format are stored on disk. */
  readonly fileEncoding: BufferEncoding;
  /**
   * The exact bytes of a document value (before signing).
   * @throws GatewayError naming the pointer when the value is not of this codec's shape.
   */
  render(value: unknown, options?: CodecOptions): Buffer;
  /**
   * A document value from bytes (untrusted input: size and structure limits apply).
   * @throws GatewayError with the format's own code for malformed input.
   */
  parse(bytes: Buffer, options?: CodecOptions): unknown;
  /** Readable text of rendered bytes, as `mappings test --update` writes golden files (indented XML, one segment per line). */
  pretty(bytes: Buffer): string;
  /** Comparable form of a golden file's text or of rendered bytes decoded: two documents are the same when these are equal. */
  normalise(text: string): string;
}

/** Declares a codec; returns it unchanged, typed. */
export function defineCodec(codec: Codec): Codec {
  return codec;
}
