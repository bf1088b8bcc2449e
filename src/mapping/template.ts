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
 *
 * Nodes return their value directly and a Promise only when JSONata itself had to run, so a template
 * made of simple expressions is built without a single await.
 */
export type TemplateNode = (input: unknown, scope: Scope) => unknown;

/** Applies `next` to a value that may still be a Promise. */
function then<T>(value: unknown, next: (v: unknown) => T): T | Promise<T> {
  return value instanceof Promise ? value.then(next) : next(value);
}

function scalar(value: unknown, expr: CompiledExpression): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${expr.pointer}: "${expr.source}" gave a non-finite number`, { pointer: expr.pointer });
    return value;
  }
  throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${expr.pointer}: "${expr.source}" must give text, a number or a boolean, not ${Array.isArray(value) ? 'a list' : typeof value}`, { pointer: expr.pointer });
}

function expressionOf(value: unknown, pointer: string, lists: CodeLists): CompiledExpression {
  if (typeof value !== 'string') throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer} must be a JSONata expression (text)`, { pointer });
  return compileExpression(value, pointer, lists);
}

function compileLeaf(expr: CompiledExpression): TemplateNode {
  return (input, scope) => then(expr.evaluate(input, scope), (v) => scalar(v, expr));
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Fills `out` from `entries[i…]`, switching to Promise continuation only at the first asynchronous value. */
function fill(entries: ReadonlyArray<readonly [string, TemplateNode]>, i: number, out: Record<string, unknown>, input: unknown, scope: Scope): unknown {
  for (; i < entries.length; i++) {
    const [key, node] = entries[i] as readonly [string, TemplateNode];
    const value = node(input, scope);
    if (value instanceof Promise) {
      const next = i + 1;
      return value.then((v: unknown) => {
        if (v !== undefined) out[key] = v;
        return fill(entries, next, out, input, scope);
      });
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Evaluates `node` for each item in order, collecting defined results; asynchronous only when a node is. */
function collect(items: readonly unknown[], i: number, out: unknown[], node: (item: unknown) => unknown): unknown {
  for (; i < items.length; i++) {
    const value = node(items[i]);
    if (value instanceof Promise) {
      const next = i + 1;
      return value.then((v: unknown) => {
        if (v !== undefined) out.push(v);
        return collect(items, next, out, node);
      });
    }
    if (value !== undefined) out.push(value);
  }
  return out;
}

function compileObject(template: Record<string, unknown>, pointer: string, lists: CodeLists): TemplateNode {
  const { $each: each, $if: condition, $value: single, $values: several, ...fields } = template;
  const entries = Object.entries(fields).map(([key, value]) => [key, compileNode(value, `${pointer}/${escapePointer(key)}`, lists)] as const);
  if (single !== undefined && entries.length > 0) {
    throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer}: $value cannot be combined with other fields`, { pointer });
  }
  // `$values`: a list of templates written for each item of `$each`, all spliced in order (an EDIFACT goods item is several segments).
  if (several !== undefined && (!Array.isArray(several) || each === undefined || single !== undefined || entries.length > 0)) {
    throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer}: $values is a list of templates, beside $each (and $if) only`, { pointer });
  }
  const build: TemplateNode =
    several !== undefined
      ? compileArray(several as unknown[], `${pointer}/$values`, lists)
      : single !== undefined
        ? compileLeaf(expressionOf(single, `${pointer}/$value`, lists))
        : (input, scope) => fill(entries, 0, {}, input, scope);
  const guard = condition === undefined ? undefined : expressionOf(condition, `${pointer}/$if`, lists);
  const guarded: TemplateNode = guard ? (input, scope) => then(guard.evaluate(input, scope), (ok) => (ok === true ? build(input, scope) : undefined)) : build;
  if (each === undefined) return guarded;
  const items = expressionOf(each, `${pointer}/$each`, lists);
  return (input, scope) =>
    then(items.evaluate(input, scope), (selected) => {
      if (selected === undefined || selected === null) return undefined;
      const list = Array.isArray(selected) ? selected : [selected];
      return then(collect(list, 0, [], (item) => guarded(item, scope)), (out) => {
        const values = several !== undefined ? (out as unknown[][]).flat() : (out as unknown[]);
        return values.length > 0 ? values : undefined;
      });
    });
}

function repeats(template: unknown): boolean {
  return typeof template === 'object' && template !== null && !Array.isArray(template) && '$each' in template;
}

/** Items built by `$each` are spliced into the list; every other item is one element of it. */
function compileArray(template: unknown[], pointer: string, lists: CodeLists): TemplateNode {
  const nodes = template.map((value, i) => ({ node: compileNode(value, `${pointer}/${i}`, lists), splice: repeats(value) }));
  return (input, scope) =>
    then(collect(nodes, 0, [], (n) => then((n as (typeof nodes)[number]).node(input, scope), (v) => (v === undefined ? undefined : { v, splice: (n as (typeof nodes)[number]).splice }))), (parts) =>
      (parts as Array<{ v: unknown; splice: boolean }>).flatMap(({ v, splice }) => (splice ? (v as unknown[]) : [v])),
    );
}

/**
 * Compiles a template node found at `pointer` in the mapping file into a function of (input, scope).
 * @throws GatewayError GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the pointer.
 */
export function compileNode(template: unknown, pointer: string, lists: CodeLists): TemplateNode {
  if (typeof template === 'string') return compileLeaf(compileExpression(template, pointer, lists));
  if (typeof template === 'number' || typeof template === 'boolean') return () => template;
  if (Array.isArray(template)) return compileArray(template, pointer, lists);
  if (typeof template === 'object' && template !== null) return compileObject(template as Record<string, unknown>, pointer, lists);
  throw new GatewayError('GW_ERR_MAPPING_INVALID', `${pointer}: a template value must be text, a number, a boolean, an object or a list`, { pointer });
}
