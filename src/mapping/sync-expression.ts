// Compiles the common subset of JSONata (paths, literals, &, comparisons, in, conditions, a few pure functions) to plain closures.
import { lookupCode, uuidFrom, type CodeLists } from './mapping-functions.js';

/**
 * Why: JSONata evaluates asynchronously and costs microseconds per expression, which would cost more
 * than signing itself. Most mapping expressions are simple, so they run here as synchronous closures
 * with JSONata's semantics; anything outside the subset, or any value the subset does not model
 * (arrays met inside a path, fractional numbers turned into text, objects tested for truth), returns
 * {@link FALLBACK} and the caller evaluates the expression with JSONata itself. A test compares both
 * evaluators on every expression of every mapping file.
 */

/** Returned when the subset cannot decide; the caller must use JSONata for this evaluation. */
export const FALLBACK: unique symbol = Symbol('jsonata-fallback');

/** The scope every evaluation sees. */
export interface SyncScope {
  readonly record: unknown;
  readonly now: string;
  /** The target partner instance's options (`$option(name)`). */
  readonly options?: Readonly<Record<string, string>>;
}

/** A compiled subset expression. */
export type SyncFn = (input: unknown, scope: SyncScope) => unknown;

interface Ast {
  type: string;
  value?: unknown;
  steps?: Ast[];
  arguments?: Ast[];
  expressions?: Ast[];
  procedure?: Ast;
  lhs?: Ast;
  rhs?: Ast;
  condition?: Ast;
  then?: Ast;
  else?: Ast;
  [key: string]: unknown;
}

const PLAIN_KEYS = new Set(['type', 'value', 'position']);

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** JSONata's $boolean for the values the subset models. */
function truth(v: unknown): boolean | typeof FALLBACK {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  return FALLBACK;
}

/** JSONata's $string for the values the subset models (integers print the same in both). */
function text(v: unknown): string | undefined | typeof FALLBACK {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return FALLBACK;
}

/** JSONata's $number for the values the subset models: numbers, booleans and whole numbers written in decimal. */
function toNumber(v: unknown): unknown {
  if (v === undefined || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^-?[0-9]{1,15}$/.test(v)) return Number(v);
  return FALLBACK;
}

function walk(start: unknown, names: readonly string[]): unknown {
  let value = start;
  for (const name of names) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return FALLBACK;
    value = Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
  }
  if (Array.isArray(value) && value.some((item) => Array.isArray(item))) return FALLBACK;
  return value;
}

function compilePath(ast: Ast): SyncFn | undefined {
  const steps = ast.steps ?? [];
  const first = steps[0];
  const fromRecord = first?.type === 'variable' && first.value === 'record';
  const names: string[] = [];
  for (const step of fromRecord ? steps.slice(1) : steps) {
    if (step.type !== 'name' || typeof step.value !== 'string' || Object.keys(step).some((k) => !PLAIN_KEYS.has(k))) return undefined;
    names.push(step.value);
  }
  if (fromRecord && Object.keys(first).some((k) => !PLAIN_KEYS.has(k))) return undefined;
  return fromRecord ? (_input, scope) => walk(scope.record, names) : (input) => walk(input, names);
}

type Compile = (ast: Ast | undefined) => SyncFn | undefined;

/** `x in [literals]`, or `x in path` (a value or an array of them): JSONata's strict equality with any item; nothing on either side is false. */
function compileIn(ast: Ast, compile: Compile): SyncFn | undefined {
  const lhs = compile(ast.lhs);
  if (!lhs) return undefined;
  const scalarOf = (input: unknown, scope: SyncScope): unknown => {
    const v = lhs(input, scope);
    return v === FALLBACK || (v !== undefined && !isScalar(v)) ? FALLBACK : v;
  };
  const items = ast.rhs?.type === 'unary' && ast.rhs.value === '[' ? ast.rhs.expressions ?? [] : undefined;
  if (items) {
    if (!items.every((e) => e.type === 'string' || e.type === 'number')) return undefined;
    const set = new Set(items.map((e) => e.value));
    return (input, scope) => {
      const v = scalarOf(input, scope);
      return v === FALLBACK ? FALLBACK : v !== undefined && set.has(v);
    };
  }
  if (ast.rhs?.type !== 'path') return undefined;
  const rhs = compile(ast.rhs);
  if (!rhs) return undefined;
  return (input, scope) => {
    const v = scalarOf(input, scope);
    const within = rhs(input, scope);
    if (v === FALLBACK || within === FALLBACK) return FALLBACK;
    if (v === undefined || within === undefined) return false;
    return Array.isArray(within) ? within.some((item) => item === v) : within === v;
  };
}

function compileBinary(ast: Ast, compile: Compile): SyncFn | undefined {
  const op = ast.value;
  if (op === 'in') return compileIn(ast, compile);
  const lhs = compile(ast.lhs);
  const rhs = compile(ast.rhs);
  if (!lhs || !rhs) return undefined;
  switch (op) {
    case '&':
      return (input, scope) => {
        const a = text(lhs(input, scope));
        const b = text(rhs(input, scope));
        if (a === FALLBACK || b === FALLBACK) return FALLBACK;
        return (a ?? '') + (b ?? '');
      };
    case '=':
    case '!=':
      return (input, scope) => {
        const a = lhs(input, scope);
        const b = rhs(input, scope);
        if (a === FALLBACK || b === FALLBACK) return FALLBACK;
        if (a === undefined || b === undefined) return false;
        if (!isScalar(a) || !isScalar(b)) return FALLBACK;
        return op === '=' ? a === b : a !== b;
      };
    case 'and':
    case 'or':
      return (input, scope) => {
        const a = truth(lhs(input, scope));
        if (a === FALLBACK) return FALLBACK;
        if (op === 'and' ? !a : a) return a;
        return truth(rhs(input, scope));
      };
    default:
      return undefined;
  }
}

function compileCondition(ast: Ast, compile: Compile): SyncFn | undefined {
  const cond = compile(ast.condition);
  const then = compile(ast.then);
  const otherwise = ast.else === undefined ? () => undefined : compile(ast.else);
  if (!cond || !then || !otherwise) return undefined;
  return (input, scope) => {
    const c = truth(cond(input, scope));
    if (c === FALLBACK) return FALLBACK;
    return c ? then(input, scope) : otherwise(input, scope);
  };
}

/** JSONata's $substring, on code points. */
function substring(str: string, start: number, length?: number): string {
  const chars = Array.from(str);
  const from = chars.length + start < 0 ? 0 : start;
  if (length === undefined) return chars.slice(from).join('');
  if (length <= 0) return '';
  const end = from >= 0 ? from + length : chars.length + from + length;
  return chars.slice(from, end).join('');
}

function unary(fn: SyncFn, body: (v: unknown) => unknown): SyncFn {
  return (input, scope) => {
    const v = fn(input, scope);
    return v === FALLBACK ? FALLBACK : body(v);
  };
}

/** The keys of a function call the subset reads; a call with any other (a predicate, say) is left to JSONata unless handled by name. */
const CALL_KEYS = new Set(['type', 'name', 'value', 'position', 'procedure', 'arguments']);

/** The integer of a call's single literal index (`$split(s, '/')[2]`), when that is all its predicate is. */
function literalIndex(ast: Ast): number | undefined {
  const predicate = ast.predicate;
  if (!Array.isArray(predicate) || predicate.length !== 1) return undefined;
  const [filter] = predicate as Ast[];
  const expr = filter?.type === 'filter' ? (filter.expr as Ast | undefined) : undefined;
  return expr?.type === 'number' && Number.isInteger(expr.value) ? (expr.value as number) : undefined;
}

/** `$split(text, 'separator')[index]`: JSONata's item of the parts (counted from the end when negative), nothing past either end. */
function compileSplitItem(ast: Ast, compile: Compile): SyncFn | undefined {
  const index = literalIndex(ast);
  const [text, separator] = ast.arguments ?? [];
  if (index === undefined || ast.arguments?.length !== 2 || separator?.type !== 'string' || String(separator.value) === '') return undefined;
  const sep = String(separator.value);
  const value = compile(text);
  return (
    value &&
    unary(value, (v) => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string') return FALLBACK;
      const parts = v.split(sep);
      return parts[index < 0 ? parts.length + index : index];
    })
  );
}

/** JSONata's $count of what a path selects: nothing is 0, an array its length, anything else 1. */
function count(v: unknown): unknown {
  if (v === undefined) return 0;
  return Array.isArray(v) ? v.length : 1;
}

function compileFunction(ast: Ast, compile: Compile, lists: CodeLists, pointer: string): SyncFn | undefined {
  const name = ast.procedure?.type === 'variable' ? ast.procedure.value : undefined;
  if (Object.keys(ast).some((k) => !CALL_KEYS.has(k))) return name === 'split' && Object.keys(ast).every((k) => CALL_KEYS.has(k) || k === 'predicate') ? compileSplitItem(ast, compile) : undefined;
  const args = ast.arguments ?? [];
  if (name === 'now' && args.length === 0) return (_input, scope) => scope.now;
  if (name === 'option' && args.length === 1 && args[0]?.type === 'string') {
    const option = String(args[0].value);
    return (_input, scope) => (scope.options && Object.hasOwn(scope.options, option) ? scope.options[option] : undefined);
  }
  if (name === 'code' && args.length === 2 && args[0]?.type === 'string') {
    const list = String(args[0].value);
    const value = compile(args[1]);
    return value && unary(value, (v) => (v !== undefined && !isScalar(v) ? FALLBACK : lookupCode(lists, list, v, pointer)));
  }
  const fns = args.map((a) => compile(a));
  const [a0, a1, a2] = fns;
  if (fns.some((f) => !f) || !a0) return undefined;
  switch (name) {
    case 'exists':
      return args.length === 1 ? unary(a0, (v) => v !== undefined) : undefined;
    case 'not':
      // As JSONata: $not of nothing is nothing (not true).
      return args.length === 1 ? unary(a0, (v) => { if (v === undefined) return undefined; const t = truth(v); return t === FALLBACK ? FALLBACK : !t; }) : undefined;
    case 'string':
      return args.length === 1 ? unary(a0, text) : undefined;
    case 'count':
      return args.length === 1 && args[0]?.type === 'path' ? unary(a0, count) : undefined;
    case 'number':
      return args.length === 1 ? unary(a0, toNumber) : undefined;
    case 'uuid':
      return args.length === 1 ? unary(a0, (v) => (typeof v === 'string' ? uuidFrom(v) : FALLBACK)) : undefined;
    case 'uppercase':
    case 'lowercase':
      return args.length === 1 ? unary(a0, (v) => (v === undefined ? undefined : typeof v !== 'string' ? FALLBACK : name === 'uppercase' ? v.toUpperCase() : v.toLowerCase())) : undefined;
    case 'substring':
      if (!a1 || args.length > 3) return undefined;
      return (input, scope) => {
        const s = a0(input, scope);
        const start = a1(input, scope);
        const length = a2 ? a2(input, scope) : undefined;
        if (s === undefined) return undefined;
        if (typeof s !== 'string' || !Number.isInteger(start) || (length !== undefined && !Number.isInteger(length))) return FALLBACK;
        return substring(s, start as number, length as number | undefined);
      };
    default:
      return undefined;
  }
}

/**
 * The keys a node of each type has when it is no more than the subset reads: anything else (a
 * predicate `[…]`, a group `{…}`, `[]`, a focus or index binding) changes what it selects, and is
 * JSONata's to evaluate. Function calls check their own keys.
 */
const NODE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(['type', 'value', 'position']),
  number: new Set(['type', 'value', 'position']),
  value: new Set(['type', 'value', 'position']),
  variable: new Set(['type', 'value', 'position']),
  path: new Set(['type', 'steps']),
  block: new Set(['type', 'position', 'expressions']),
  binary: new Set(['type', 'value', 'position', 'lhs', 'rhs']),
  condition: new Set(['type', 'position', 'condition', 'then', 'else']),
};

/**
 * Compiles a JSONata AST into a synchronous closure when every part of it is in the subset;
 * returns undefined otherwise (the caller then always uses JSONata).
 */
export function compileSync(ast: Ast, lists: CodeLists, pointer: string): SyncFn | undefined {
  const compile: Compile = (node) => (node === undefined ? undefined : compileSync(node, lists, pointer));
  const known = NODE_KEYS[ast.type];
  if (known && Object.keys(ast).some((k) => !known.has(k))) return undefined;
  switch (ast.type) {
    case 'string':
    case 'number':
      return () => ast.value;
    case 'value':
      return typeof ast.value === 'boolean' ? () => ast.value : undefined;
    case 'variable':
      return ast.value === '' ? (input) => (Array.isArray(input) ? FALLBACK : input) : undefined;
    case 'path':
      return compilePath(ast);
    case 'block':
      return ast.expressions?.length === 1 ? compile(ast.expressions[0]) : undefined;
    case 'binary':
      return compileBinary(ast, compile);
    case 'condition':
      return compileCondition(ast, compile);
    case 'function':
      return compileFunction(ast, compile, lists, pointer);
    default:
      return undefined;
  }
}
