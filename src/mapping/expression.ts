// Compiles one JSONata expression of a mapping file, with direct fast paths for plain field paths, literals and code lookups.
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import { GatewayError } from '../errors.js';

/** Code lists of a mapping file: list name → source value → target code. */
export type CodeLists = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** What every expression of one translation sees besides its input. */
export interface Scope {
  /** The whole record (`$record`), also inside `$each`. */
  readonly record: unknown;
  /** Translation time as ISO 8601 text (`$now()`), fixed per translation so golden tests can pin it. */
  readonly now: string;
}

/** Evaluates against an input (the record, or the current item inside `$each`). */
export type Evaluate = (input: unknown, scope: Scope) => unknown | Promise<unknown>;

/** A compiled expression and where it came from, for error messages. */
export interface CompiledExpression {
  /** Expression text as written in the mapping file. */
  readonly source: string;
  /** Location in the mapping file, as a JSON pointer (`/document/SafeTIR/Body/TCN`). */
  readonly pointer: string;
  /** Evaluates; the result is `undefined` when the expression selects nothing. */
  readonly evaluate: Evaluate;
}

interface AstNode {
  type: string;
  value?: unknown;
  steps?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  [key: string]: unknown;
}

const PLAIN_STEP_KEYS = new Set(['type', 'value', 'position']);

function lookupCode(lists: CodeLists, list: string, value: unknown, pointer: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const table = lists[list];
  if (!table) throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${pointer}: no code list named "${list}"`, { pointer });
  const code = Object.prototype.hasOwnProperty.call(table, String(value)) ? table[String(value)] : undefined;
  if (code === undefined) throw new GatewayError('GW_ERR_MAPPING_CODE_UNKNOWN', `${pointer}: "${String(value)}" is not in code list "${list}"`, { pointer, list });
  return code;
}

/** Field names of a path made only of plain names (`a.b.c`), or undefined for anything richer. */
function plainPath(ast: AstNode): string[] | undefined {
  if (ast.type !== 'path' || !ast.steps) return undefined;
  const names: string[] = [];
  for (const step of ast.steps) {
    if (step.type !== 'name' || typeof step.value !== 'string') return undefined;
    if (Object.keys(step).some((k) => !PLAIN_STEP_KEYS.has(k))) return undefined;
    names.push(step.value);
  }
  return names;
}

/** Direct property walk; returns `fallback` when it meets an array (JSONata maps over arrays, we do not). */
function accessor(names: string[], fallback: Evaluate): Evaluate {
  return (input, scope) => {
    let value: unknown = input;
    for (const name of names) {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'object' || Array.isArray(value)) return fallback(input, scope);
      value = Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    }
    return Array.isArray(value) ? fallback(input, scope) : value;
  };
}

function fastPath(ast: AstNode, slow: Evaluate, lists: CodeLists, pointer: string): Evaluate | undefined {
  if (ast.type === 'string' || ast.type === 'number' || (ast.type === 'value' && typeof ast.value === 'boolean')) {
    const constant = ast.value;
    return () => constant;
  }
  const names = plainPath(ast);
  if (names) return accessor(names, slow);
  const args = ast.arguments;
  if (ast.type === 'function' && ast.procedure?.type === 'variable' && ast.procedure.value === 'code' && args?.length === 2) {
    const [listArg, valueArg] = args;
    const valueNames = valueArg ? plainPath(valueArg) : undefined;
    if (listArg?.type === 'string' && typeof listArg.value === 'string' && valueNames) {
      const list = listArg.value;
      const get = accessor(valueNames, slow);
      return (input, scope) => {
        const value = get(input, scope);
        return value instanceof Promise ? slow(input, scope) : lookupCode(lists, list, value, pointer);
      };
    }
  }
  return undefined;
}

/** A name-based UUID (RFC 9562 version 5 layout over SHA-1): the same seed always gives the same id. */
function uuidFrom(seed: string): string {
  const h = createHash('sha1').update(seed, 'utf8').digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Turns JSONata's internal sequences into plain arrays so nothing JSONata-specific leaks into documents. */
function plain(value: unknown): unknown {
  return Array.isArray(value) ? Array.from(value as unknown[]) : value;
}

/**
 * Compiles an expression once. Available besides JSONata's own functions: `$code(list, value)` looks a
 * value up in the mapping's code lists (an unknown value is an error, never a silent blank);
 * `$uuid(seed)` gives a stable UUID for a seed (e.g. an envelope id that repeats on a resend);
 * `$record` is the whole record (useful inside `$each`); `$now()` is the translation time.
 * @throws GatewayError GW_ERR_MAPPING_EXPRESSION with the pointer when the expression does not compile.
 */
export function compileExpression(source: string, pointer: string, lists: CodeLists): CompiledExpression {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(source);
  } catch (err) {
    const reason = (err as { message?: string }).message ?? String(err);
    throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${pointer}: ${reason} in "${source}"`, { pointer }, { cause: err });
  }
  expr.registerFunction('code', (list: string, value: unknown) => lookupCode(lists, list, value, pointer), '<sx:s>');
  expr.registerFunction('uuid', (seed: string) => uuidFrom(seed), '<s:s>');
  const slow: Evaluate = async (input, scope) => {
    try {
      return plain(await expr.evaluate(input, { record: scope.record, now: () => scope.now }));
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      const reason = (err as { message?: string }).message ?? String(err);
      throw new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${pointer}: ${reason} in "${source}"`, { pointer }, { cause: err });
    }
  };
  const evaluate = fastPath(expr.ast() as AstNode, slow, lists, pointer) ?? slow;
  return { source, pointer, evaluate };
}
