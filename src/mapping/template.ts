// Compiles the `document` template of a mapping file: a tree whose string leaves are JSONata expressions.
import { GatewayError } from '../errors.js';
import { compileExpression, type CodeLists, type CompiledExpression, type Scope } from './expression.js';

/**
 * Template rules (the README's "Mapping files" section says the same for admins):
 * - a string is a JSONata expression; its value (text, number or boolean) is written out, and a result
 *   of nothing leaves the field out;
 * - numbers and booleans are literal values;
 * - an object builds an object (for XML: an element, `@name` keys are attributes, `#text` is text);
 *   the special key `$each: <expr>` repeats the object once per item the expression selects, with the
 *   item as the input of the expressions inside; `$if: <expr>` leaves the object out unless the
 *   expression is true; `$value: <expr>` makes the object stand for that expression's value (so
 *   `{ $each: list, $value: $ }` gives a list of plain values);
 * - an array builds an array, element by element.
 */
/** A compiled template node. */
export type TemplateNode = (input: unknown, scope: Scope) => Promise<unknown>;

function scalar(value: unknown, expr: CompiledExpression): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${expr.pointer}: "${expr.source}" gave a non-finite number`, { pointer: expr.pointer });
    return value;
  }
  throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${expr.pointer}: "${expr.source}" must give text, a number or a boolean, not ${Array.isArray(value) ? 'a list' : typeof value}`, { pointer: expr.pointer });
}

function compileLeaf(source: string, pointer: string, lists: CodeLists): TemplateNode {
  const expr = compileExpression(source, pointer, lists);
  return async (input, scope) => scalar(await expr.evaluate(input, scope), expr);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function compileObject(template: Record<string, unknown>, pointer: string, lists: CodeLists): TemplateNode {
  const { $each: each, $if: condition, $value: single, ...fields } = template;
  const entries = Object.entries(fields).map(([key, value]) => [key, compileNode(value, `${pointer}/${escapePointer(key)}`, lists)] as const);
  if (single !== undefined && entries.length > 0) {
    throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer}: $value cannot be combined with other fields`, { pointer });
  }
  const build: TemplateNode =
    single !== undefined
      ? compileLeaf(expressionOf(single, `${pointer}/$value`, lists).source, `${pointer}/$value`, lists)
      : async (input, scope) => {
          const out: Record<string, unknown> = {};
          for (const [key, node] of entries) {
            const value = await node(input, scope);
            if (value !== undefined) out[key] = value;
          }
          return out;
        };
  const guard = condition === undefined ? undefined : expressionOf(condition, `${pointer}/$if`, lists);
  const guarded: TemplateNode = guard ? async (input, scope) => ((await guard.evaluate(input, scope)) === true ? build(input, scope) : undefined) : build;
  if (each === undefined) return guarded;
  const items = expressionOf(each, `${pointer}/$each`, lists);
  return async (input, scope) => {
    const selected = await items.evaluate(input, scope);
    if (selected === undefined || selected === null) return undefined;
    const list = Array.isArray(selected) ? selected : [selected];
    const out: unknown[] = [];
    for (const item of list) {
      const value = await guarded(item, scope);
      if (value !== undefined) out.push(value);
    }
    return out.length > 0 ? out : undefined;
  };
}

function expressionOf(value: unknown, pointer: string, lists: CodeLists): CompiledExpression {
  if (typeof value !== 'string') throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer} must be a JSONata expression (text)`, { pointer });
  return compileExpression(value, pointer, lists);
}

function repeats(template: unknown): boolean {
  return typeof template === 'object' && template !== null && !Array.isArray(template) && '$each' in template;
}

/** Items built by `$each` are spliced into the list; every other item is one element of it. */
function compileArray(template: unknown[], pointer: string, lists: CodeLists): TemplateNode {
  const nodes = template.map((value, i) => ({ node: compileNode(value, `${pointer}/${i}`, lists), splice: repeats(value) }));
  return async (input, scope) => {
    const out: unknown[] = [];
    for (const { node, splice } of nodes) {
      const value = await node(input, scope);
      if (value === undefined) continue;
      if (splice) out.push(...(value as unknown[]));
      else out.push(value);
    }
    return out;
  };
}

/**
 * Compiles a template node found at `pointer` in the mapping file into a function of (input, scope).
 * @throws GatewayError GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the pointer.
 */
export function compileNode(template: unknown, pointer: string, lists: CodeLists): TemplateNode {
  if (typeof template === 'string') return compileLeaf(template, pointer, lists);
  if (typeof template === 'number' || typeof template === 'boolean') return async () => template;
  if (Array.isArray(template)) return compileArray(template, pointer, lists);
  if (typeof template === 'object' && template !== null) return compileObject(template as Record<string, unknown>, pointer, lists);
  throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer}: a template value must be text, a number, a boolean, an object or a list`, { pointer });
}
