// EDIFACT message structures as data (one grammar file per message, from its UN segment table) and the check of a message's segments against one: mandatory segments, repeats, order, each problem at its segment position.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { EdifactMessage } from './document-tree.js';

/** A segment of the table: its tag, status and maximum repeats. */
export interface GrammarSegment {
  tag: string;
  name?: string;
  status: 'M' | 'C';
  max: number;
  /** The UN table's position number, for people. */
  position?: string;
}

/** A segment group: its status and maximum repeats, and its entries (the first is its trigger segment). */
export interface GrammarGroup {
  group: string;
  status: 'M' | 'C';
  max: number;
  position?: string;
  entries: GrammarEntry[];
}

/** One row of a segment table. */
export type GrammarEntry = GrammarSegment | GrammarGroup;

/** A message's structure: its identifier (UNH S009, e.g. CUSDEC:D:96B:UN) and its segment table, UNH and UNT included. */
export interface EdifactGrammar {
  message: string[];
  entries: GrammarEntry[];
}

/** One way a message breaks its grammar, at the segment where it shows (UNH is segment 1). */
export interface GrammarProblem {
  position: number;
  tag: string;
  reason: string;
}

function isGroup(entry: GrammarEntry): entry is GrammarGroup {
  return 'group' in entry;
}

/** Checks a grammar file's shape. @throws GatewayError GW_ERR_CONFIG_INVALID naming the file and entry */
function checkEntries(entries: unknown, where: string): GrammarEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${where}: entries must be a non-empty list`);
  return entries.map((raw, i) => {
    const entry = raw as Partial<GrammarSegment & GrammarGroup>;
    const at = `${where}/${i}`;
    if ((entry.status !== 'M' && entry.status !== 'C') || !Number.isInteger(entry.max) || (entry.max ?? 0) < 1) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${at}: status must be M or C and max a whole number of 1 or more`);
    if (typeof entry.group === 'string') {
      const inner = checkEntries(entry.entries, `${at}/entries`);
      const trigger = inner[0]!;
      if (isGroup(trigger) || trigger.status !== 'M' || trigger.max !== 1) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${at}: a group's first entry is its trigger segment, M 1`);
      return { ...(entry as GrammarGroup), entries: inner };
    }
    if (typeof entry.tag !== 'string' || !/^[A-Z]{3}$/.test(entry.tag)) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${at}: tag must be three capital letters`);
    return entry as GrammarSegment;
  });
}

/**
 * Reads a grammar file (JSON: `message`, the UNH S009 components, and `entries`).
 * @throws GatewayError GW_ERR_CONFIG_INVALID when it cannot be read or is not a grammar
 */
export function readEdifactGrammar(file: string): EdifactGrammar {
  let parsed: { message?: unknown; entries?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: not a readable grammar file: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed.message) || parsed.message.length < 4 || !parsed.message.every((c) => typeof c === 'string')) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: message must be the UNH S009 components, e.g. ["CUSDEC","D","96B","UN"]`);
  const entries = checkEntries(parsed.entries, `${file}#/entries`);
  const first = entries[0];
  const last = entries.at(-1);
  if (!first || isGroup(first) || first.tag !== 'UNH' || !last || isGroup(last) || last.tag !== 'UNT') throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: a segment table starts with UNH and ends with UNT`);
  return { message: parsed.message as string[], entries };
}

/** The tag that opens an entry: a segment's own, a group's trigger's. */
function triggerOf(entry: GrammarEntry): string {
  return isGroup(entry) ? (entry.entries[0] as GrammarSegment).tag : entry.tag;
}

/**
 * A grammar the project ships in `schemas/edifact/` by name (e.g. `CUSDEC-D96B`), found from this
 * module upwards, so sources and the built `dist/` read the same file.
 * @throws GatewayError GW_ERR_CONFIG_INVALID when there is no such grammar or it is not one
 */
export function shippedEdifactGrammar(name: string): EdifactGrammar {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'schemas', 'edifact', `${name}.grammar.json`);
    if (existsSync(file)) return readEdifactGrammar(file);
    if (dirname(dir) === dir) throw new GatewayError('GW_ERR_CONFIG_INVALID', `no EDIFACT grammar ${name} in schemas/edifact/`);
  }
}

/** Matches segments from `at` against a list of entries; returns where it stopped. */
function matchEntries(entries: readonly GrammarEntry[], tags: readonly string[], at: number, problems: GrammarProblem[]): number {
  let i = at;
  for (const [index, entry] of entries.entries()) {
    const trigger = triggerOf(entry);
    // A tag the table lists again later at this level (CUSDEC's two UNS) goes there once this entry is full.
    const laterTakes = entries.slice(index + 1).some((e) => triggerOf(e) === trigger);
    let count = 0;
    while (tags[i] === trigger) {
      if (count === entry.max && laterTakes) break;
      count++;
      if (count > entry.max) problems.push({ position: i + 2, tag: trigger, reason: `${isGroup(entry) ? `segment group ${entry.group} (triggered by ${trigger})` : trigger} repeats more than its maximum of ${entry.max}` });
      i = isGroup(entry) ? matchEntries(entry.entries.slice(1), tags, i + 1, problems) : i + 1;
    }
    if (count === 0 && entry.status === 'M') problems.push({ position: i + 2, tag: tags[i] ?? 'UNT', reason: `mandatory ${isGroup(entry) ? `segment group ${entry.group} (triggered by ${trigger})` : `segment ${trigger}`} is missing` });
  }
  return i;
}

/**
 * The ways a message's body breaks its grammar, in segment order: a mandatory segment or group
 * missing, a segment or group repeated over its maximum, a segment where the table has no place for
 * it. Positions count UNH as segment 1, as CONTRL reports them.
 */
export function grammarProblems(message: EdifactMessage, grammar: EdifactGrammar): GrammarProblem[] {
  const tags = message.segments.map((s) => s.tag);
  const problems: GrammarProblem[] = [];
  // UNH and UNT are the codec's; the body is matched against the table between them.
  const end = matchEntries(grammar.entries.slice(1, -1), tags, 0, problems);
  // A segment with no place stops the match: it comes before what the stop made look missing there.
  const unplaced: GrammarProblem[] = end < tags.length ? [{ position: end + 2, tag: tags[end]!, reason: `segment ${tags[end]} has no place here in ${grammar.message.join(':')} (out of order, or not in the message)` }] : [];
  return [...unplaced, ...problems].sort((a, b) => a.position - b.position);
}

/**
 * Checks every message of an interchange that has a grammar among `grammars` (by UNH S009).
 * @throws GatewayError GW_ERR_EDIFACT_GRAMMAR naming the message, the first problem's segment position
 *   and tag; detail carries every problem
 */
export function checkGrammar(messages: readonly EdifactMessage[], grammars: readonly EdifactGrammar[]): void {
  for (const message of messages) {
    const grammar = grammars.find((g) => g.message.every((c, i) => message.type[i] === c));
    if (!grammar) continue;
    const problems = grammarProblems(message, grammar);
    const first = problems[0];
    if (first) {
      throw new GatewayError('GW_ERR_EDIFACT_GRAMMAR', `message ${message.reference} (${grammar.message.join(':')}), segment ${first.position} (${first.tag}): ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
        segment: first.position,
        tag: first.tag,
        problems: problems.map((p) => `segment ${p.position} (${p.tag}): ${p.reason}`),
      });
    }
  }
}
