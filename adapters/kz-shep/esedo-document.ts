// The unified document system's outgoing document (docOutgoing): its files as logged, the main one signed as CMS into secondSignData.
import { buildCmsSignedData, childElement, childElements, defineSigningProfile, GatewayError, parseXml, renderXml, type XmlContent } from '../../src/partners/kit.js';
import { shepErrors } from './errors.js';
import { ESEDO_NS } from './namespaces.js';
import { LOGGED_NS } from './logged-message.js';

/** A file of a docOutgoing as the log keeps it, before the temporary file service gave it an identifier. */
export interface DocumentFile {
  name: string;
  mediaType: string;
  /** Marked as the document itself (the first file when none is). */
  main: boolean;
  bytes: Buffer;
}

function refuse(reason: string): GatewayError {
  return shepErrors.error('GW_ERR_SHEP_DOCUMENT_INVALID', `docOutgoing: ${reason}`);
}

/**
 * The files of a docOutgoing (`attachments/file[@name][@mediaType][@main]`, base64 text), in order.
 * @throws GatewayError GW_ERR_SHEP_DOCUMENT_INVALID for a file without a name or with bytes that are not base64.
 */
export function documentFiles(docOutgoing: XmlContent): DocumentFile[] {
  const attachments = childElement(docOutgoing, '', 'attachments');
  if (!attachments) return [];
  return childElements(attachments, '', 'file').map((file, index) => {
    const name = String(file['@name'] ?? '').trim();
    const text = String(file['#text'] ?? '').replace(/\s+/g, '');
    if (!name) throw refuse(`file ${index + 1} has no name`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw refuse(`file ${name} is not base64`);
    return { name, mediaType: String(file['@mediaType'] ?? 'application/octet-stream'), main: file['@main'] === 'true', bytes: Buffer.from(text, 'base64') };
  });
}

/** The document itself: the file marked main, else the first. */
export function mainFile(files: readonly DocumentFile[]): DocumentFile | undefined {
  return files.find((f) => f.main) ?? files[0];
}

/** The key of the docOutgoing element in a wrapper's content (whatever its prefix). */
function docOutgoingKey(wrapper: XmlContent): string {
  const key = Object.keys(wrapper).find((k) => !k.startsWith('@') && k.slice(k.indexOf(':') + 1) === 'docOutgoing');
  if (!key || !childElement(wrapper, ESEDO_NS, 'docOutgoing')) throw refuse(`the logged message holds no docOutgoing of ${ESEDO_NS}`);
  return key;
}

/**
 * `esedo-cms`: signs the document of a logged docOutgoing as an attached CMS SignedData (SHA-256, our
 * key and certificate) and writes it, base64, into its `secondSignData` (which the mapping places,
 * empty, where the document model orders it), with `secondSignEnabled` true.
 */
export const esedoCmsSigning = defineSigningProfile({
  name: 'esedo-cms',
  description: 'docOutgoing of the unified document system: its main file signed as attached CMS SignedData into secondSignData',
  codecs: ['xml'],
  signs: true,
  sign(document, signer) {
    const parsed = parseXml(document);
    const wrapperKey = Object.keys(parsed)[0] ?? '';
    const wrapper = parsed[wrapperKey];
    if (typeof wrapper !== 'object' || Array.isArray(wrapper) || !childElement(parsed, LOGGED_NS, 'message')) throw refuse('not a logged kz-shep message');
    const key = docOutgoingKey(wrapper);
    const docOutgoing = wrapper[key] as XmlContent;
    const main = mainFile(documentFiles({ ...Object.fromEntries(Object.entries(wrapper).filter(([k]) => k.startsWith('@xmlns'))), ...docOutgoing }));
    if (!main) throw refuse('it has no file to sign (attachments/file)');
    if (!('secondSignData' in docOutgoing)) throw refuse('the mapping must place secondSignData (empty) where the signature goes');
    const signature = buildCmsSignedData(main.bytes, signer, { detached: false }).toString('base64');
    const signed: XmlContent = {};
    for (const [name, value] of Object.entries(docOutgoing)) {
      if (name === 'secondSignData') signed[name] = signature;
      else if (name === 'secondSignEnabled') signed[name] = 'true';
      else signed[name] = value;
    }
    if (!('secondSignEnabled' in signed)) throw refuse('the mapping must place secondSignEnabled after secondSignData');
    return renderXml({ [wrapperKey]: { ...wrapper, [key]: signed } });
  },
});
