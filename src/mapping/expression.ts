// Compiles one JSONata expression of a mapping file: a synchronous closure for the common subset, JSONata for the rest.
import jsonata from 'jsonata';
import { GatewayError } from '../errors.js';
import { lookupCode, uuidFrom, type CodeLists } from './mapping-functions.js';
import { compileSync, FALLBACK, type SyncScope } from './sync-expression.js';

export type { CodeLists } from './mapping-functions.js';

/** What every expression of one translation sees besides its input. */
export interface Scope extends SyncScope {
  /** The whole record (`$record`), also inside `$each`. */
  readonly record: unknown;
  /** Translation time as ISO 8601 text (`$now()`), fixed per translation so golden tests can pin it. */
  readonly now: string;
}

/** The scope of one translation: `$record` is `record`, `$now()` is `now` (default: the current time), `$option(name)` one of `options`. */
export function translationScope(record: unknown, now: Date = new Date(), options: Readonly<Record<string, string>> = {}): Scope {
  return { record, now: now.toISOString(), options };
}

/** Evaluates against an input (the record, or the current item inside `$each`); a Promise only when JSONata ran. */
export type Evaluate = (input: unknown, scope: Scope) => unknown;

/** A compiled expression and where it came from, for error messages. */
export interface CompiledExpression {
  /** Expression text as written in the mapping file. */
  readonly source: string;
  /** Location in the mapping file, as a JSON pointer (`/document/Envelope/Body/Count`). */
  readonly pointer: string;
  /** Evaluates; the result is `undefined` when the expression selects nothing. */
  readonly evaluate: Evaluate;
  /** The same expression always evaluated by JSONata (for the differential test of the fast subset). */
  readonly evaluateWithJsonata: (input: unknown, scope: Scope) => Promise<unknown>;
}

/** Turns JSONata's internal sequences into plain arrays so nothing JSONata-specific leaks into documents. */
function plain(value: unknown): unknown {
  return Array.isArray(value) ? Array.from(value as unknown[]) : value;
}

function expressionError(err: unknown, source: string, pointer: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const reason = (err as { message?: string }).message ?? String(err);
  return new GatewayError('GW_ERR_MAPPING_EXPRESSION', `${pointer}: ${reason} in "${source}"`, { pointer }, { cause: err });
}

/**
 * Compiles an expression once. Available besides JSONata's own functions: `$code(list, value)` looks a
 * value up in the mapping's code lists (an unknown value is an error, never a silent blank);
 * `$uuid(seed)` gives a stable UUID for a seed (e.g. an envelope id that repeats on a resend);
 * `$record` is the whole record (useful inside `$each`); `$now()` is the translation time; `$option(name)`
 * is an option of the target partner instance (partners file `options`, e.g. the character set of an
 * agreement), nothing when it has none.
 * @throws GatewayError GW_ERR_MAPPING_EXPRESSION with the pointer when the expression does not compile.
 */
export function compileExpression(source: string, pointer: string, lists: CodeLists): CompiledExpression {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(source);
  } catch (err) {
    throw expressionError(err, source, pointer);
  }
  expr.registerFunction('code', (list: string, value: unknown) => lookupCode(lists, list, value, pointer), '<sx:s>');
  expr.registerFunction('uuid', (seed: string) => uuidFrom(seed), '<s:s>');
  const slow = async (input: unknown, scope: Scope): Promise<unknown> => {
    try {
      return plain(await expr.evaluate(input, { record: scope.record, now: () => scope.now, option: (name: string) => (scope.options && Object.hasOwn(scope.options, name) ? scope.options[name] : undefined) }));
    } catch (err) {
      throw expressionError(err, source, pointer);
    }
  };
  const fast = compileSync(expr.ast() as Parameters<typeof compileSync>[0], lists, pointer);
  const evaluate: Evaluate = fast
    ? (input, scope) => {
        const value = fast(input, scope);
        return value === FALLBACK ? slow(input, scope) : value;
      }
    : slow;
  return { source, pointer, evaluate, evaluateWithJsonata: slow };
}
