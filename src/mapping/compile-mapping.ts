// Compiles one outbound mapping file (CAIS record → partner document); a broken file fails here with its path, field and reason.
import type { DocumentTree } from '../codec/document-tree.js';
import type { CaisRecord } from '../records/record-types.js';
import { compileBusinessKeys } from './business-keys.js';
import { compileExpression, translationScope, type CodeLists } from './expression.js';
import type { Mapping } from './mapping.js';
import { checkRecordType, lookUpAt, withFile, type MappingContext, type MappingFile } from './mapping-file.js';
import { compileNode } from './template.js';

/** An outbound mapping file as written (after schema validation). */
interface OutboundFile {
  id: string;
  version: number;
  description?: string;
  source: string;
  when?: string;
  target: { partner: string; message: string };
  businessKeys: Record<string, string>;
  codes?: Record<string, Record<string, string>>;
  document: Record<string, unknown>;
}

/**
 * Compiles an outbound mapping file read by `readMappingFile`: source and target check, then every expression.
 * @throws GatewayError GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the file and the field.
 */
export function compileMapping(read: MappingFile, context: MappingContext): Mapping {
  const { file } = read;
  const m = read.content as OutboundFile;
  checkRecordType(file, '/source', m.source, context.recordTypes);
  const spec = lookUpAt(file, '/target', () => context.message(m.target.partner, m.target.message));
  const lists: CodeLists = m.codes ?? {};
  const options = context.options?.(m.target.partner) ?? {};
  return withFile(file, () => {
    const when = m.when === undefined ? undefined : compileExpression(m.when, '/when', lists);
    const document = compileNode(m.document, '/document', lists);
    const businessKeys = compileBusinessKeys(m.businessKeys, lists);
    const mapping: Mapping = {
      id: m.id,
      version: m.version,
      sha256: read.sha256,
      source: file,
      recordType: m.source,
      target: { partner: m.target.partner, message: m.target.message },
      async applies(record: CaisRecord) {
        if (record.type !== m.source) return false;
        return when === undefined ? true : (await when.evaluate(record, translationScope(record, undefined, options))) === true;
      },
      async apply(record: CaisRecord, now?: Date) {
        const tree: DocumentTree = { codec: spec.codec, value: await document(record, translationScope(record, now, options)) };
        return tree;
      },
      businessKeys,
    };
    return mapping;
  });
}
