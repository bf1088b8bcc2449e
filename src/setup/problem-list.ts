// Collects every problem of a setup (configuration, partners, adapters, mappings, keys) so one run reports them all.
import { GatewayError, type ErrorCode } from '../errors.js';

/** One thing wrong with the setup, located as precisely as it can be. */
export interface Problem {
  code: ErrorCode;
  /** What is wrong, without the code. */
  message: string;
  /** The file at fault, when one is. */
  file?: string;
  /** JSON pointer into that file, when known. */
  pointer?: string;
  /** The environment variable at fault, when one is. */
  variable?: string;
}

/** The setup could not be loaded; every problem found is listed. */
export class SetupFailed extends GatewayError {
  /** Every problem, in the order found. */
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const first = problems[0];
    const summary = problems.length === 1 && first ? first.message : `${problems.length} problems, the first: ${first?.message ?? ''}`;
    super(first?.code ?? 'GW_ERR_CONFIG_INVALID', summary, { problems });
    this.name = 'SetupFailed';
    this.problems = problems;
  }
}

function stripCode(message: string): string {
  return message.replace(/^GW_ERR_\w+: /, '');
}

/** The problems of an error: its own list when it is a {@link SetupFailed}, else itself. */
export function problemsOf(err: GatewayError): Problem[] {
  if (err instanceof SetupFailed) return [...err.problems];
  const { file, pointer, variable } = err.detail;
  return [
    {
      code: err.code,
      message: stripCode(err.message),
      ...(typeof file === 'string' ? { file } : {}),
      ...(typeof pointer === 'string' && pointer !== '' ? { pointer } : {}),
      ...(typeof variable === 'string' ? { variable } : {}),
    },
  ];
}

/** One line for an operator: the code, where (unless the message already names the file), what. */
export function formatProblem(problem: Problem): string {
  const file = problem.file && !problem.message.includes(problem.file) ? `${problem.file}${problem.pointer ? `#${problem.pointer}` : ''}` : undefined;
  const where = problem.variable && !problem.message.includes(problem.variable) ? problem.variable : file;
  return `${problem.code}: ${where ? `${where}: ` : ''}${problem.message}`;
}

function same(a: Problem, b: Problem): boolean {
  return a.code === b.code && a.message === b.message && a.file === b.file && a.pointer === b.pointer && a.variable === b.variable;
}

/** A list of problems that loading code adds to and keeps going. */
export class ProblemList {
  private readonly items: Problem[] = [];

  /** Adds a problem (once: the same problem met again is not listed twice). */
  add(problem: Problem): void {
    if (!this.items.some((known) => same(known, problem))) this.items.push(problem);
  }

  /** Runs `load`; a GatewayError it throws becomes problems and the result is undefined. Other errors propagate. */
  capture<T>(load: () => T): T | undefined {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      for (const problem of problemsOf(err)) this.add(problem);
      return undefined;
    }
  }

  /** As {@link capture}, for asynchronous loading. */
  async captureAsync<T>(load: () => Promise<T>): Promise<T | undefined> {
    try {
      return await load();
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      for (const problem of problemsOf(err)) this.add(problem);
      return undefined;
    }
  }

  /** The problems so far. */
  get list(): readonly Problem[] {
    return this.items;
  }

  /** @throws SetupFailed with every problem, when there is any. */
  throwIfAny(): void {
    if (this.items.length > 0) throw new SetupFailed(this.items);
  }
}
