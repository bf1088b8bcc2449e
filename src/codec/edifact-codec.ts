// UN/EDIFACT codec: renders an interchange with its UNA/UNB/UNH/UNT/UNZ envelope and parses one back with count checks.
import { GatewayError, type ErrorCode } from '../errors.js';
import type { EdifactInterchange, EdifactMessage, EdifactSegment } from './document-tree.js';
import {
  DEFAULT_SERVICE_CHARACTERS,
  decodeText,
  encodeText,
  findUnrepresentable,
  isSyntaxIdentifier,
  readServiceStringAdvice,
  releaseValue,
  renderServiceStringAdvice,
  type ServiceCharacters,
  type SyntaxIdentifier,
} from './edifact-syntax.js';

/** Envelope tags the codec writes itself; a body segment must not carry them. */
const SERVICE_TAGS: ReadonlySet<string> = new Set(['UNA', 'UNB', 'UNG', 'UNH', 'UNT', 'UNE', 'UNZ']);

/** A segment tag: three upper-case letters or digits. */
const TAG_PATTERN = /^[A-Z0-9]{3}$/;

/** Data elements of a segment as the renderer reads them. */
type Elements = readonly (readonly string[])[];

/** Builds the JSON pointer of one component, only when an error needs it. */
type PointerOf = (element: number, component: number) => string;

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/**
 * Renders an interchange as bytes in its syntax character set.
 *
 * The output is `UNA:+.? '`, UNB, each message wrapped in UNH … UNT, and UNZ, with segments
 * separated only by the terminator `'`. Values are written as given: service characters are
 * released with `?` and no empty element or component is dropped, so {@link parseEdifact}
 * returns an equal interchange. An element with no components renders like one empty component.
 *
 * @param interchange - The interchange to render.
 * @returns The encoded interchange.
 * @throws GatewayError GW_ERR_EDIFACT_CHARSET when a value has a character the syntax level cannot
 *   carry (detail.pointer locates it in the interchange); GW_ERR_EDIFACT_SYNTAX for an unknown
 *   syntax identifier or a body segment tag that is malformed or reserved for the envelope.
 */
export function renderEdifact(interchange: EdifactInterchange): Buffer {
  const syntax = interchange.syntax;
  if (!isSyntaxIdentifier(syntax)) {
    throw new GatewayError('GW_ERR_EDIFACT_SYNTAX', `unknown syntax identifier '${String(syntax)}'`, { pointer: '/syntax' });
  }
  let text = renderServiceStringAdvice(DEFAULT_SERVICE_CHARACTERS) + renderHeader(interchange, syntax);
  interchange.messages.forEach((message, index) => {
    text += renderMessage(message, index, syntax);
  });
  const trailer: Elements = [[String(interchange.messages.length)], [interchange.controlReference]];
  text += renderSegment('UNZ', trailer, syntax, () => '/controlReference');
  return encodeText(text, syntax);
}

/** Pointers of the UNB components, by element. */
const HEADER_POINTERS: readonly ((component: number) => string)[] = [
  (component) => (component === 0 ? '/syntax' : '/syntaxVersion'),
  (component) => `/sender/${component}`,
  (component) => `/recipient/${component}`,
  (component) => (component === 0 ? '/preparedAt/date' : '/preparedAt/time'),
  () => '/controlReference',
];

/** Writes UNB: S001 syntax, S002 sender, S003 recipient, S004 date and time, 0020 control reference. */
function renderHeader(interchange: EdifactInterchange, syntax: SyntaxIdentifier): string {
  const elements: Elements = [
    [syntax, interchange.syntaxVersion],
    interchange.sender,
    interchange.recipient,
    [interchange.preparedAt.date, interchange.preparedAt.time],
    [interchange.controlReference],
  ];
  return renderSegment('UNB', elements, syntax, (element, component) => HEADER_POINTERS[element]?.(component) ?? '');
}

/** Writes one message: UNH, its body segments and UNT with the segment count including UNH and UNT. */
function renderMessage(message: EdifactMessage, index: number, syntax: SyntaxIdentifier): string {
  const base = `/messages/${index}`;
  const referencePointer = `${base}/reference`;
  let text = renderSegment('UNH', [[message.reference], message.type], syntax, (element, component) =>
    element === 0 ? referencePointer : `${base}/type/${component}`,
  );
  message.segments.forEach((segment, position) => {
    text += renderBodySegment(segment, `${base}/segments/${position}`, syntax);
  });
  const trailer: Elements = [[String(message.segments.length + 2)], [message.reference]];
  return text + renderSegment('UNT', trailer, syntax, () => referencePointer);
}

/** Writes a body segment after checking that its tag is well-formed and not an envelope tag. */
function renderBodySegment(segment: EdifactSegment, pointer: string, syntax: SyntaxIdentifier): string {
  if (!TAG_PATTERN.test(segment.tag) || SERVICE_TAGS.has(segment.tag)) {
    throw new GatewayError('GW_ERR_EDIFACT_SYNTAX', `segment tag '${segment.tag}' is malformed or reserved for the envelope`, {
      pointer: `${pointer}/tag`,
    });
  }
  return renderSegment(segment.tag, segment.elements, syntax, (element, component) =>
    `${pointer}/elements/${element}/${component}`,
  );
}

/** Writes tag, elements and components with the default separators, releasing service characters. */
function renderSegment(tag: string, elements: Elements, syntax: SyntaxIdentifier, pointerOf: PointerOf): string {
  let text = tag;
  for (let element = 0; element < elements.length; element += 1) {
    text += '+';
    const components = elements[element] ?? [];
    for (let component = 0; component < components.length; component += 1) {
      const value = components[component] ?? '';
      const bad = findUnrepresentable(value, syntax);
      if (bad !== undefined) throw charsetError(bad.codePoint, syntax, pointerOf(element, component));
      text += component === 0 ? releaseValue(value) : `:${releaseValue(value)}`;
    }
  }
  return `${text}'`;
}

/** A charset refusal located by a JSON pointer into the interchange. */
function charsetError(codePoint: string, syntax: SyntaxIdentifier, pointer: string): GatewayError {
  return new GatewayError('GW_ERR_EDIFACT_CHARSET', `${codePoint} at ${pointer} is not in ${syntax}`, { pointer, syntax, codePoint });
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** A segment as read from the wire, before the envelope is interpreted. */
interface RawSegment {
  /** Segment tag. */
  readonly tag: string;
  /** Data elements after the tag, already unescaped. */
  readonly elements: string[][];
  /** 1-based position in the interchange; UNB is 1 and a UNA advice is not counted. */
  readonly position: number;
}

/**
 * Parses an interchange from bytes.
 *
 * A UNA advice, if present, sets the service characters; otherwise `:+.? '` apply. The
 * character set comes from UNB S001 before any non-ASCII byte is decoded. Line breaks between
 * segments are tolerated. The reserved UNA position (the syntax 4 repetition separator) is read
 * as plain data, and UNB/UNH data elements the interchange model has no field for are not kept.
 *
 * @param bytes - The interchange as received.
 * @returns The interchange without its envelope segments.
 * @throws GatewayError GW_ERR_EDIFACT_SYNTAX when the interchange is malformed (bad UNA, missing
 *   UNB or UNZ, unknown syntax identifier, dangling release character, unterminated segment,
 *   UNH/UNT out of order, functional groups); GW_ERR_EDIFACT_COUNT when a UNT or UNZ count or
 *   reference does not match; GW_ERR_EDIFACT_CHARSET when a byte is not in the character set.
 *   Messages name the segment position (`segment 7 (UNT): …`) and detail carries `segment` and `tag`.
 */
export function parseEdifact(bytes: Buffer): EdifactInterchange {
  const { chars, offset } = readServiceStringAdvice(bytes);
  const syntax = peekSyntax(bytes.toString('latin1', offset, offset + 64), chars);
  const segments = new SegmentReader(decodeText(bytes, syntax), chars).read(offset);
  return assemble(segments, syntax);
}

/** Returns the index of the first character at or after `index` that is not a CR or LF used as data. */
function skipLineBreaks(text: string, index: number, chars: ServiceCharacters): number {
  let at = index;
  while (at < text.length && (text[at] === '\r' || text[at] === '\n') && !isStructural(text[at], chars)) at += 1;
  return at;
}

/** True when a character is a separator, terminator or release character. */
function isStructural(char: string | undefined, chars: ServiceCharacters): boolean {
  return char === chars.component || char === chars.element || char === chars.terminator || char === chars.release;
}

/** Reads the syntax identifier from the start of UNB, which precedes any non-ASCII byte. */
function peekSyntax(head: string, chars: ServiceCharacters): SyntaxIdentifier {
  const unb = skipLineBreaks(head, 0, chars);
  if (!head.startsWith(`UNB${chars.element}`, unb)) {
    throw positionedError('GW_ERR_EDIFACT_SYNTAX', 1, 'UNB', 'interchange does not start with UNB');
  }
  let end = unb + 4;
  while (end < head.length && !isStructural(head[end], chars)) end += 1;
  const id = head.slice(unb + 4, end);
  if (!isSyntaxIdentifier(id)) throw positionedError('GW_ERR_EDIFACT_SYNTAX', 1, 'UNB', `unknown syntax identifier '${id}'`);
  return id;
}

/** Splits decoded text into segments, elements and components, removing release characters. */
class SegmentReader {
  private readonly segments: RawSegment[] = [];
  private elements: string[][] = [];
  private components: string[] = [];
  private value = '';

  private readonly componentCode: number;
  private readonly elementCode: number;
  private readonly terminatorCode: number;
  private readonly releaseCode: number;

  constructor(
    private readonly text: string,
    private readonly chars: ServiceCharacters,
  ) {
    this.componentCode = chars.component.charCodeAt(0);
    this.elementCode = chars.element.charCodeAt(0);
    this.terminatorCode = chars.terminator.charCodeAt(0);
    this.releaseCode = chars.release === undefined ? -1 : chars.release.charCodeAt(0);
  }

  /** Reads every segment from `start` to the end of the text. */
  read(start: number): RawSegment[] {
    const { text } = this;
    let at = skipLineBreaks(text, start, this.chars);
    let runStart = at;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code === this.releaseCode) {
        this.value += text.slice(runStart, at) + this.releasedAt(at);
        at += 2;
        runStart = at;
        continue;
      }
      if (code === this.componentCode || code === this.elementCode || code === this.terminatorCode) {
        this.value += text.slice(runStart, at);
        at = this.separate(code, at);
        runStart = at;
        continue;
      }
      at += 1;
    }
    this.checkTerminated(runStart);
    return this.segments;
  }

  /** Returns the character a release character at `at` protects. */
  private releasedAt(at: number): string {
    if (at + 1 >= this.text.length) {
      throw this.errorHere(`release character at character offset ${at} is not followed by a character`);
    }
    return this.text.charAt(at + 1);
  }

  /** Closes the current component, element or segment; returns where reading resumes. */
  private separate(code: number, at: number): number {
    this.components.push(this.value);
    this.value = '';
    if (code === this.componentCode) return at + 1;
    this.elements.push(this.components);
    this.components = [];
    if (code === this.elementCode) return at + 1;
    this.endSegment();
    return skipLineBreaks(this.text, at + 1, this.chars);
  }

  /** Stores the finished segment after checking its tag. */
  private endSegment(): void {
    const [tagElement = [], ...elements] = this.elements;
    const tag = tagElement.join(this.chars.component);
    if (tagElement.length !== 1 || !TAG_PATTERN.test(tag)) throw this.errorHere(`malformed segment tag '${tag}'`);
    this.segments.push({ tag, elements, position: this.segments.length + 1 });
    this.elements = [];
  }

  /** Refuses text left after the last segment terminator. */
  private checkTerminated(runStart: number): void {
    if (runStart < this.text.length || this.value !== '' || this.components.length > 0 || this.elements.length > 0) {
      throw this.errorHere('segment is not terminated');
    }
  }

  /** A syntax error about the segment being read. */
  private errorHere(reason: string): GatewayError {
    const tag = this.elements[0]?.[0] ?? this.components[0] ?? '';
    return positionedError('GW_ERR_EDIFACT_SYNTAX', this.segments.length + 1, tag, reason);
  }
}

/** An error whose message and detail name the segment position and tag. */
function positionedError(code: ErrorCode, position: number, tag: string, reason: string): GatewayError {
  return new GatewayError(code, `segment ${position} (${tag}): ${reason}`, { segment: position, tag });
}

/** An error about a segment that has been read. */
function segmentError(code: ErrorCode, segment: RawSegment, reason: string): GatewayError {
  return positionedError(code, segment.position, segment.tag, reason);
}

/** A component of a raw segment, or '' when absent. */
function componentOf(segment: RawSegment, element: number, component: number): string {
  return segment.elements[element]?.[component] ?? '';
}

/** Refuses a segment with fewer data elements than the syntax makes mandatory. */
function requireElements(segment: RawSegment, count: number): void {
  if (segment.elements.length < count) {
    throw segmentError('GW_ERR_EDIFACT_SYNTAX', segment, `${segment.tag} needs at least ${count} data elements`);
  }
}

/** Interprets the envelope: UNB, the UNH … UNT messages and UNZ. */
function assemble(segments: readonly RawSegment[], syntax: SyntaxIdentifier): EdifactInterchange {
  const [header] = segments;
  if (header === undefined || header.tag !== 'UNB') {
    throw positionedError('GW_ERR_EDIFACT_SYNTAX', 1, header?.tag ?? '', 'interchange does not start with UNB');
  }
  const interchange = readHeader(header, syntax);
  let next = 1;
  for (let segment = segments[next]; segment?.tag === 'UNH'; segment = segments[next]) {
    const read = readMessage(segments, segment, next + 1);
    interchange.messages.push(read.message);
    next = read.next;
  }
  checkTrailer(segments, next, interchange);
  return interchange;
}

/** Reads UNB into the interchange fields; the syntax identifier was already read from its first bytes. */
function readHeader(unb: RawSegment, syntax: SyntaxIdentifier): EdifactInterchange {
  requireElements(unb, 5);
  const version = componentOf(unb, 0, 1);
  if (version !== '3' && version !== '4') {
    throw segmentError('GW_ERR_EDIFACT_SYNTAX', unb, `unsupported syntax version '${version}'`);
  }
  return {
    syntax,
    syntaxVersion: version,
    sender: unb.elements[1] ?? [],
    recipient: unb.elements[2] ?? [],
    preparedAt: { date: componentOf(unb, 3, 0), time: componentOf(unb, 3, 1) },
    controlReference: componentOf(unb, 4, 0),
    messages: [],
  };
}

/** Reads the message opened by `unh`, whose body starts at `index`; returns it and the index after its UNT. */
function readMessage(segments: readonly RawSegment[], unh: RawSegment, index: number): { message: EdifactMessage; next: number } {
  requireElements(unh, 2);
  const message: EdifactMessage = { reference: componentOf(unh, 0, 0), type: unh.elements[1] ?? [], segments: [] };
  let at = index;
  let segment = segments[at];
  while (segment !== undefined && !SERVICE_TAGS.has(segment.tag)) {
    message.segments.push({ tag: segment.tag, elements: segment.elements });
    at += 1;
    segment = segments[at];
  }
  if (segment?.tag !== 'UNT') {
    const reason = `message '${message.reference}' opened at segment ${unh.position} is not closed by UNT`;
    throw segmentError('GW_ERR_EDIFACT_SYNTAX', segment ?? unh, reason);
  }
  checkCount(segment, message.segments.length + 2, message.reference, 'segments in message');
  return { message, next: at + 1 };
}

/** Checks UNZ and that nothing follows it. */
function checkTrailer(segments: readonly RawSegment[], index: number, interchange: EdifactInterchange): void {
  const unz = segments[index];
  if (unz === undefined) {
    throw positionedError('GW_ERR_EDIFACT_SYNTAX', segments.length, segments.at(-1)?.tag ?? '', 'interchange ends without UNZ');
  }
  if (unz.tag !== 'UNZ') {
    const reason = unz.tag === 'UNG' ? 'functional groups (UNG/UNE) are not supported' : 'expected UNH or UNZ';
    throw segmentError('GW_ERR_EDIFACT_SYNTAX', unz, reason);
  }
  checkCount(unz, interchange.messages.length, interchange.controlReference, 'messages in interchange');
  const extra = segments[index + 1];
  if (extra !== undefined) throw segmentError('GW_ERR_EDIFACT_SYNTAX', extra, 'segment follows UNZ');
}

/** Checks a UNT or UNZ trailer: element 1 is the count, element 2 repeats the opening reference. */
function checkCount(trailer: RawSegment, actual: number, reference: string, counted: string): void {
  requireElements(trailer, 2);
  const count = componentOf(trailer, 0, 0);
  if (!/^\d+$/.test(count) || Number(count) !== actual) {
    throw segmentError('GW_ERR_EDIFACT_COUNT', trailer, `count '${count}' does not match the ${actual} ${counted}`);
  }
  const echoed = componentOf(trailer, 1, 0);
  if (echoed !== reference) {
    throw segmentError('GW_ERR_EDIFACT_COUNT', trailer, `reference '${echoed}' does not match '${reference}'`);
  }
}
