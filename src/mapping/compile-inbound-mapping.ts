// Compiles one inbound mapping file (partner document → CAIS record); a broken file fails here with its path, field and reason.
import type { XmlContent, XmlValue } from '../codec/document-tree.js';
import { normaliseNamespaces, urisOf, type NamespaceTable } from '../codec/xml-namespaces.js';
import { GatewayError } from '../errors.js';
import { compileBusinessKeys } from './business-keys.js';
import { compileExpression, translationScope, type CodeLists } from './expression.js';
import type { InboundMapping } from './inbound-mapping.js';
import { checkRecordType, lookUpAt, mappingInvalid, withFile, type MappingContext, type MappingFile } from './mapping-file.js';
import { compileNode } from './template.js';

/** An inbound mapping file as written (after schema validation). */
interface InboundFile {
  id: string;
  version: number;
  direction: 'in';
  description?: string;
  source: { partner: string; message: string };
  target: string;
  namespaces: Record<string, string | string[]>;
  root?: string;
  when?: string;
  businessKeys: Record<string, string>;
  codes?: Record<string, Record<string, string>>;
  record: Record<string, unknown>;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Each namespace may have one prefix only, or a document could be read two ways. */
function checkNamespaces(file: string, table: NamespaceTable): void {
  const seen = new Map<string, string>();
  for (const [prefix, entry] of Object.entries(table)) {
    for (const uri of urisOf(entry)) {
      const other = seen.get(uri);
      if (other !== undefined) throw mappingInvalid(file, `/namespaces/${escapePointer(prefix)}`, `"${uri}" already has the prefix "${other}"`);
      seen.set(uri, prefix);
    }
  }
}

/** The element names of `root`, each checked to use a prefix of the table. */
function rootSteps(file: string, root: string | undefined, table: NamespaceTable): string[] {
  if (root === undefined) return [];
  const steps = root.split('/');
  for (const step of steps) {
    const colon = step.indexOf(':');
    if (colon >= 0 && !Object.hasOwn(table, step.slice(0, colon))) {
      throw mappingInvalid(file, '/root', `"${step}" uses the prefix "${step.slice(0, colon)}", which /namespaces does not declare`);
    }
  }
  return steps;
}

/** The one element at the end of `steps`; undefined when a step is missing or repeated. */
function selectRoot(document: XmlContent, steps: readonly string[]): XmlValue | undefined {
  let node: XmlValue | undefined = document;
  for (const step of steps) {
    if (typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, step) ? node[step] : undefined;
    if (node === undefined || Array.isArray(node)) return undefined;
  }
  return node;
}

/**
 * Compiles an inbound mapping file read by `readMappingFile`: source message, target record type,
 * namespaces and root checked, then every expression compiled. The input of the expressions is the
 * `root` element (the whole document without one); `$record` is always the whole document, renamed by namespace.
 * @throws GatewayError GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the file and the field.
 */
export function compileInboundMapping(read: MappingFile, context: MappingContext): InboundMapping {
  const { file } = read;
  const m = read.content as InboundFile;
  checkRecordType(file, '/target', m.target, context.recordTypes);
  lookUpAt(file, '/source', () => context.inboundMessage(m.source.partner, m.source.message));
  checkNamespaces(file, m.namespaces);
  const steps = rootSteps(file, m.root, m.namespaces);
  const lists: CodeLists = m.codes ?? {};
  return withFile(file, () => {
    const when = m.when === undefined ? undefined : compileExpression(m.when, '/when', lists);
    const record = compileNode(m.record, '/record', lists);
    const normalised = new WeakMap<XmlContent, XmlContent>();
    const view = (document: XmlContent): { whole: XmlContent; input: XmlValue | undefined } => {
      let whole = normalised.get(document);
      if (!whole) {
        whole = normaliseNamespaces(document, m.namespaces);
        normalised.set(document, whole);
      }
      return { whole, input: selectRoot(whole, steps) };
    };
    const mapping: InboundMapping = {
      id: m.id,
      version: m.version,
      sha256: read.sha256,
      source: file,
      partner: m.source.partner,
      message: m.source.message,
      recordType: m.target,
      async applies(document) {
        const { whole, input } = view(document);
        if (input === undefined) return false;
        return when === undefined ? true : (await when.evaluate(input, translationScope(whole))) === true;
      },
      async apply(document, now) {
        const { whole, input } = view(document);
        if (input === undefined) throw new GatewayError('GW_ERR_NO_ROUTE', `mapping ${m.id}: the document has no single ${m.root ?? 'root'} element`);
        return record(input, translationScope(whole, now));
      },
      businessKeys: compileBusinessKeys(m.businessKeys, lists),
      keyNames: Object.keys(m.businessKeys),
    };
    return mapping;
  });
}
