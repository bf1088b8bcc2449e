// The common processes the adapter speaks, loaded from processes/*.yaml: version matrix, transactions with their templates and timers, messages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { eaeuErrors } from './errors.js';

/** Decision 5's transaction templates. */
export type TransactionTemplate = 'notification' | 'request-response' | 'mutual-obligations';
const TEMPLATES: readonly TransactionTemplate[] = ['notification', 'request-response', 'mutual-obligations'];

/** A structure of the version matrix: its root element, namespace and schema file. */
export interface StructureVersion {
  root: string;
  namespace: string;
  schema: string;
}

/** A transaction of a process: its template and the template's parameters. */
export interface Transaction {
  code: string;
  procedure: string;
  template: TransactionTemplate;
  /** Message that opens the transaction, and the business answer that closes it (request-response, mutual obligations). */
  request: string;
  answer?: string;
  receiptSeconds?: number;
  acceptanceSeconds?: number;
  answerSeconds?: number;
  repeats: number;
}

/** Everything the envelope needs to know of one message code. */
export interface MessageRoute {
  message: string;
  /** What the message is, in words. */
  title: string;
  process: string;
  version: string;
  /** The member customs' participant code in the process (its actor), in the addresses of both sides. */
  participant: string;
  procedure: string;
  transaction: Transaction;
  structure: StructureVersion & { code: string };
  /** The domain structure an R.010 container carries, when it does. */
  carries?: StructureVersion & { code: string };
}

interface ProcessFile {
  process: string;
  version: string;
  participant: string;
  structures: Record<string, StructureVersion>;
  procedures: Record<string, string>;
  transactions: Record<string, Omit<Transaction, 'code'>>;
  messages: Record<string, { title: string; structure: string; carries?: string; transaction: string }>;
}

const CODE = /^P\.[A-Z]{2}\.\d{2}(\.(MSG|TRN|PRC)\.\d{3})?$/;

function invalid(file: string, reason: string): Error {
  return eaeuErrors.error('GW_ERR_EAEU_PROCESS_UNKNOWN', `${file}: ${reason}`);
}

function structureOf(file: string, parsed: ProcessFile, code: string): StructureVersion & { code: string } {
  const found = parsed.structures?.[code];
  if (!found || !found.root || !found.namespace?.startsWith('urn:EEC:') || !found.schema) throw invalid(file, `structure ${code} needs root, an urn:EEC: namespace and schema`);
  return { code, root: found.root, namespace: found.namespace, schema: found.schema };
}

function transactionOf(file: string, parsed: ProcessFile, code: string): Transaction {
  const found = parsed.transactions?.[code];
  if (!found || !CODE.test(code)) throw invalid(file, `no transaction ${code}`);
  if (!TEMPLATES.includes(found.template)) throw invalid(file, `transaction ${code}: template must be one of ${TEMPLATES.join(', ')}`);
  if (!parsed.procedures?.[found.procedure]) throw invalid(file, `transaction ${code}: no procedure ${found.procedure}`);
  if (!Number.isInteger(found.repeats) || found.repeats < 0) throw invalid(file, `transaction ${code}: repeats must be a whole number`);
  for (const timer of ['receiptSeconds', 'acceptanceSeconds', 'answerSeconds'] as const) {
    const value = found[timer];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw invalid(file, `transaction ${code}: ${timer} must be a positive number of seconds`);
  }
  if (found.template !== 'notification' && !found.answer) throw invalid(file, `transaction ${code}: a ${found.template} transaction names its answer`);
  return { ...found, code };
}

/** Reads one process file into its message routes. */
export function readProcessFile(file: string): MessageRoute[] {
  const parsed = parse(readFileSync(file, 'utf8')) as ProcessFile;
  if (!parsed || !CODE.test(parsed.process ?? '') || typeof parsed.version !== 'string') throw invalid(file, 'needs process (P.XX.nn) and version');
  if (!new RegExp(`^${parsed.process.replaceAll('.', '\\.')}\\.ACT\\.\\d{3}$`).test(parsed.participant ?? '')) throw invalid(file, `participant must be an actor code ${parsed.process}.ACT.nnn`);
  return Object.entries(parsed.messages ?? {}).map(([message, spec]) => {
    if (!CODE.test(message) || !message.startsWith(`${parsed.process}.MSG.`)) throw invalid(file, `message code ${message} is not one of ${parsed.process}`);
    const transaction = transactionOf(file, parsed, spec.transaction);
    return {
      message,
      title: spec.title ?? message,
      process: parsed.process,
      version: parsed.version,
      participant: parsed.participant,
      procedure: transaction.procedure,
      transaction,
      structure: structureOf(file, parsed, spec.structure),
      ...(spec.carries ? { carries: structureOf(file, parsed, spec.carries) } : {}),
    };
  });
}

/** The gateway's name of a message code: `P.CP.01.MSG.010` → `p-cp-01-msg-010`. */
export function messageTypeOf(code: string): string {
  return code.toLowerCase().replaceAll('.', '-');
}

/** The message code of a gateway message name (`p-cp-01-msg-010` → `P.CP.01.MSG.010`); a code stays as it is. */
export function codeOfMessageType(type: string): string {
  return type.toUpperCase().replaceAll('-', '.');
}

/** The process files of the adapter, by message code. */
export class ProcessTable {
  private readonly routes = new Map<string, MessageRoute>();

  constructor(files: readonly string[]) {
    for (const file of files) for (const route of readProcessFile(file)) this.routes.set(route.message, route);
  }

  /** The route of a message code (`P.CP.01.MSG.010`) or of its message type (`p-cp-01-msg-010`). @throws GatewayError GW_ERR_EAEU_PROCESS_UNKNOWN */
  route(message: string): MessageRoute {
    const found = this.routes.get(codeOfMessageType(message));
    if (!found) throw eaeuErrors.error('GW_ERR_EAEU_PROCESS_UNKNOWN', `message ${message} is in no configured process file`);
    return found;
  }

  /** Whether a message code (or its message type) is in the process files. */
  has(message: string): boolean {
    return this.routes.has(codeOfMessageType(message));
  }

  /** The routes of the messages that answer a transaction (what members send back to us). */
  answers(): MessageRoute[] {
    return [...this.routes.values()].filter((r) => r.transaction.answer === r.message);
  }

  /** The routes of the messages that open a transaction (what we send). */
  requests(): MessageRoute[] {
    return [...this.routes.values()].filter((r) => r.transaction.request === r.message);
  }
}

/** Where the process files live: `schemas/partners/eaeu-iis/processes/` of the project, found upwards from this module (run from source or from dist). */
export function processDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', 'partners', 'eaeu-iis', 'processes');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw eaeuErrors.error('GW_ERR_EAEU_PROCESS_UNKNOWN', 'no schemas/partners/eaeu-iis/processes folder above the adapter');
  }
}

/** The table of the shipped process files. */
export function shippedProcesses(): ProcessTable {
  const dir = processDir();
  return new ProcessTable(readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f)));
}
