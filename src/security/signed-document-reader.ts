// Reads a signed document in one scan: the exc-c14n bytes of its root minus the enveloped signature, the canonical SignedInfo, and the signature's shape.
import type { XmlContent } from '../codec/document-tree.js';
import { ExcC14nWriter } from './exc-c14n.js';
import { scanXml, type NamespaceScope, type XmlAttribute, type XmlElement, type XmlHandler } from './strict-xml-scanner.js';
import { XmlContentBuilder } from './xml-content-builder.js';
import { DSIG_NS } from './xmldsig-algorithms.js';

/** SOAP 1.1 and 1.2 envelope namespaces, for a signature placed as a header block. */
const SOAP_NAMESPACES = new Set(['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope']);

/**
 * Where the one enveloped ds:Signature sits: `root`, a direct child of the document element; or
 * `soap-header`, a header block (a direct child of the Header of a SOAP 1.1 or 1.2 Envelope that is the
 * document element), where SOAP 1.2 allows it. Either way it signs the whole document.
 */
export type SignaturePlacement = 'root' | 'soap-header';

/** An element inside the enveloped ds:Signature, kept as a small tree for the profile checks. */
export interface SignatureNode {
  /** Namespace URI. */
  readonly uri: string;
  /** Local name. */
  readonly local: string;
  /** Attributes as scanned. */
  readonly attributes: readonly XmlAttribute[];
  /** Child elements in order. */
  readonly children: SignatureNode[];
  /** The element's own character data (comments excluded), concatenated. */
  text: string;
}

/** Everything the verifier needs from one scan of a document. */
export interface SignedDocument {
  /** exc-c14n (without comments) of the document element with the enveloped ds:Signature removed. */
  readonly canonical: string;
  /** exc-c14n of that signature's first ds:SignedInfo child, in context; undefined when there is none. */
  readonly signedInfo: string | undefined;
  /** The ds:Signature at the expected placement (the first, if several). */
  readonly signature: SignatureNode | undefined;
  /** How many ds:Signature elements the document holds, anywhere. */
  readonly signatureCount: number;
  /** Values of the document element's unprefixed Id, ID and id attributes. */
  readonly rootIds: readonly string[];
  /** The first shape problem found while scanning (a duplicate id, a ds:Object or ds:Manifest), if any. */
  readonly violation: string | undefined;
  /** The canonical document as XmlContent, when asked for (exactly what `canonical` holds). */
  readonly content: XmlContent | undefined;
}

const ID_NAMES = new Set(['Id', 'ID', 'id']);

/** Routes scanner events: to the document writer outside the enveloped signature, into the signature tree and SignedInfo writer inside it. */
class SignedDocumentHandler implements XmlHandler {
  readonly builder: XmlContentBuilder | undefined;
  readonly document: ExcC14nWriter;
  signedInfo: ExcC14nWriter | undefined;
  signature: SignatureNode | undefined;
  signatureCount = 0;
  readonly rootIds: string[] = [];
  violation: string | undefined;
  private readonly ids = new Set<string>();
  private depth = 0;
  /** Open elements of the enveloped signature, the signature itself first; empty outside it. */
  private readonly path: SignatureNode[] = [];
  /** Depth of the SignedInfo being written, relative to the signature; 0 when none is open. */
  private signedInfoDepth = 0;
  /** For `soap-header`: whether the document element is a SOAP Envelope, and the open element at depth 1 is its Header. */
  private soapEnvelope = '';
  private inSoapHeader = false;
  private envelopeChildSeen = false;

  constructor(
    withContent: boolean,
    private readonly placement: SignaturePlacement,
  ) {
    this.builder = withContent ? new XmlContentBuilder() : undefined;
    this.document = new ExcC14nWriter(this.builder);
  }

  startElement(element: XmlElement, scope: NamespaceScope): void {
    this.noteIds(element);
    if (this.placement === 'soap-header') this.noteSoapLevels(element);
    if (element.uri === DSIG_NS) this.noteDsElement(element);
    const node = this.path.length > 0 || this.startsSignature(element) ? this.addNode(element) : undefined;
    if (!node) this.document.startElement(element, scope);
    else if (this.signedInfoDepth > 0 || this.startsSignedInfo(node)) {
      this.signedInfoDepth++;
      this.signedInfo?.startElement(element, scope);
    }
    this.depth++;
  }

  text(data: string): void {
    const node = this.path[this.path.length - 1];
    if (!node) return this.document.text(data);
    node.text += data;
    if (this.signedInfoDepth > 0) this.signedInfo?.text(data);
  }

  endElement(element: XmlElement): void {
    this.depth--;
    if (this.depth === 1) this.inSoapHeader = false;
    if (this.path.length === 0) return this.document.endElement(element);
    this.path.pop();
    if (this.signedInfoDepth > 0) {
      this.signedInfoDepth--;
      this.signedInfo?.endElement(element);
    }
  }

  private noteIds(element: XmlElement): void {
    for (const attribute of element.attributes) {
      if (!ID_NAMES.has(attribute.local)) continue;
      if (this.ids.has(attribute.value)) this.violation ??= `id "${attribute.value}" occurs more than once`;
      this.ids.add(attribute.value);
      if (this.depth === 0 && attribute.prefix === '') this.rootIds.push(attribute.value);
    }
  }

  private noteDsElement(element: XmlElement): void {
    if (element.local === 'Signature') this.signatureCount++;
    else if (element.local === 'Object' || element.local === 'Manifest') this.violation ??= `ds:${element.local} is not allowed`;
  }

  /** The Header counts only as the Envelope's first child, as SOAP places it; a Header anywhere else never holds the signature. */
  private noteSoapLevels(element: XmlElement): void {
    if (this.depth === 0 && element.local === 'Envelope' && SOAP_NAMESPACES.has(element.uri)) this.soapEnvelope = element.uri;
    else if (this.depth === 1) {
      this.inSoapHeader = !this.envelopeChildSeen && this.soapEnvelope !== '' && element.uri === this.soapEnvelope && element.local === 'Header';
      this.envelopeChildSeen = true;
    }
  }

  /** True for the first ds:Signature at the placement: the enveloped one. */
  private startsSignature(element: XmlElement): boolean {
    const placed = this.placement === 'root' ? this.depth === 1 : this.depth === 2 && this.inSoapHeader;
    return placed && this.signature === undefined && element.uri === DSIG_NS && element.local === 'Signature';
  }

  /** True for the first ds:SignedInfo directly inside the enveloped signature; it gets its own writer. */
  private startsSignedInfo(node: SignatureNode): boolean {
    if (this.path.length !== 2 || this.signedInfo !== undefined || node.uri !== DSIG_NS || node.local !== 'SignedInfo') return false;
    this.signedInfo = new ExcC14nWriter();
    return true;
  }

  private addNode(element: XmlElement): SignatureNode {
    const node: SignatureNode = { uri: element.uri, local: element.local, attributes: element.attributes, children: [], text: '' };
    const parent = this.path[this.path.length - 1];
    if (parent) parent.children.push(node);
    else this.signature = node;
    this.path.push(node);
    return node;
  }
}

/**
 * Scans `text` once and returns the document's canonical bytes (signature removed), the canonical SignedInfo
 * and the signature's shape, and with `withContent` the canonical document as XmlContent. Nothing here
 * decides validity beyond well-formedness: see signature-profile.ts.
 * @throws GatewayError from {@link scanXml}.
 */
export function readSignedDocument(text: string, withContent = false, placement: SignaturePlacement = 'root'): SignedDocument {
  const handler = new SignedDocumentHandler(withContent, placement);
  scanXml(text, handler);
  return {
    canonical: handler.document.result(),
    signedInfo: handler.signedInfo?.result(),
    signature: handler.signature,
    signatureCount: handler.signatureCount,
    rootIds: handler.rootIds,
    violation: handler.violation,
    content: handler.builder?.result(),
  };
}
