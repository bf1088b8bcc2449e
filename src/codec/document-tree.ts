// The neutral document shapes that mappings produce and codecs render: XML content, EDIFACT segments, CSV rows, JSON.

/**
 * XML content in object form, the same shape the safe parser returns: keys starting with `@` are
 * attributes (`@xmlns` and `@xmlns:p` declare namespaces), `#text` is the text content, any other
 * key is a child element whose value is its text, its content, or an array for repeated elements.
 * Key order is document order. `undefined` values are left out, so optional fields need no special casing.
 */
export interface XmlContent {
  [key: string]: XmlValue | undefined;
}

/** An element's value: text only, nested content, or a list of repeated elements with that name. */
export type XmlValue = XmlScalar | XmlContent | Array<XmlScalar | XmlContent>;

/** Text content; numbers and booleans are written as their JSON text. */
export type XmlScalar = string | number | boolean;

/** One EDIFACT segment: a tag and its data elements, each a list of components. */
export interface EdifactSegment {
  /** Three-letter segment tag, e.g. `BGM`. */
  tag: string;
  /** Data elements; each is a list of component values (a simple element has one). */
  elements: string[][];
}

/** An EDIFACT message inside an interchange (UNH … UNT are added by the codec). */
export interface EdifactMessage {
  /** Message reference number (UNH 0062). */
  reference: string;
  /** Message identifier, e.g. `['CUSDEC', 'D', '96B', 'UN']`. */
  type: string[];
  /** Body segments between UNH and UNT. */
  segments: EdifactSegment[];
}

/** A whole EDIFACT interchange (UNA/UNB … UNZ are added by the codec). */
export interface EdifactInterchange {
  /** Syntax identifier: UNOC (Latin-1), UNOE (Latin/Cyrillic), UNOW (UTF-8, syntax version 4), UNOY (read and written as UTF-8 too), … */
  syntax: 'UNOA' | 'UNOB' | 'UNOC' | 'UNOE' | 'UNOW' | 'UNOY';
  /** Syntax version number (3 or 4). */
  syntaxVersion: '3' | '4';
  /** Interchange sender identification, with optional qualifier components. */
  sender: string[];
  /** Interchange recipient identification, with optional qualifier components. */
  recipient: string[];
  /** Preparation date (YYMMDD for v3, CCYYMMDD for v4) and time (HHMM). */
  preparedAt: { date: string; time: string };
  /** Interchange control reference (UNB 0020 = UNZ 0020). */
  controlReference: string;
  /** Messages in order. */
  messages: EdifactMessage[];
}

/** A CSV table: rows of named cells; the columns come from the message's codec options, else `columns`, else the first row. */
export interface CsvTable {
  columns?: string[];
  rows: Array<Record<string, string | number | boolean | null | undefined>>;
}

/**
 * What a mapping produces: the value in the shape its codec expects, named by codec. `xml`: an
 * {@link XmlContent} with exactly one key, the root element; `edifact`: an {@link EdifactInterchange};
 * `csv`: a {@link CsvTable}; `json`: any JSON value; an adapter's codec: whatever it documents.
 */
export interface DocumentTree {
  /** Name of the registered codec that renders it. */
  codec: string;
  value: unknown;
}
