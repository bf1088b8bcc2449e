// Compiles the `businessKeys` of a mapping file: the values the message log indexes, each a JSONata expression over a record.
import { compileExpression, translationScope, type CodeLists } from './expression.js';

/** Evaluates every business key of a record; keys that select nothing are left out, values are text. */
export type BusinessKeys = (record: unknown) => Promise<Record<string, string>>;

/**
 * Compiles `businessKeys: { name: expression }` once; `$record` is the record too.
 * @throws GatewayError GW_ERR_MAPPING_EXPRESSION at `/businessKeys/<name>` when an expression does not compile.
 */
export function compileBusinessKeys(keys: Readonly<Record<string, string>>, lists: CodeLists): BusinessKeys {
  const compiled = Object.entries(keys).map(([name, source]) => [name, compileExpression(source, `/businessKeys/${name}`, lists)] as const);
  return async (record) => {
    const scope = translationScope(record);
    const out: Record<string, string> = {};
    for (const [name, expr] of compiled) {
      const value = await expr.evaluate(record, scope);
      if (value !== undefined && value !== null) out[name] = String(value);
    }
    return out;
  };
}
