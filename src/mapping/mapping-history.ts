// The versions each mapping file ran, as the store keeps them for every gateway instance: a stack per mapping that rollback walks back, and the numbers a new version may not take.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { MappingChange, MappingChangeStore } from '../store/mapping-change-store.js';

/** One change of the version a mapping runs (see {@link MappingChange}). */
export type Activation = MappingChange;

/** A snapshot of the history, read from the store; each mapping's changes oldest first. */
export class MappingHistory {
  private constructor(private readonly entries: readonly Activation[]) {}

  /** The history as the store holds it now. */
  static async read(store: MappingChangeStore): Promise<MappingHistory> {
    return new MappingHistory(await store.mappingChanges());
  }

  /** Every entry, each mapping's oldest first. */
  all(): readonly Activation[] {
    return this.entries;
  }

  /** The entries of one mapping id, oldest first. */
  of(id: string): Activation[] {
    return this.entries.filter((a) => a.id === id);
  }

  /** The last change of `id` that was made (pending ones left out), if any. */
  latest(id: string): Activation | undefined {
    return this.of(id).filter((a) => a.kind !== 'pending').at(-1);
  }

  /** The mapping ids the history knows. */
  ids(): Set<string> {
    return new Set(this.entries.map((a) => a.id));
  }

  /** The position `id`'s next change takes in the store. */
  next(id: string): number {
    return this.of(id).length + 1;
  }

  /**
   * The versions of `id` a rollback can walk back through, the active one last: each activation (or
   * found version) is pushed, each rollback pops the version it left; pending changes do not count.
   */
  stack(id: string): Activation[] {
    const stack: Activation[] = [];
    for (const entry of this.of(id)) {
      if (entry.kind === 'pending') continue;
      if (entry.kind === 'rolled-back') stack.pop();
      if (stack.at(-1)?.sha256 !== entry.sha256) stack.push(entry);
    }
    return stack;
  }

  /** Whether `id` ran (or was found running) with the text of this digest. */
  knows(id: string, sha256: string): boolean {
    return this.of(id).some((a) => a.kind !== 'pending' && a.sha256 === sha256);
  }

  /** The highest version `id` ran (0 when none): a new upload must go above it. */
  highestVersion(id: string): number {
    return this.of(id).reduce((highest, a) => (a.kind === 'pending' ? highest : Math.max(highest, a.version)), 0);
  }

  /** Whether version `version` of `id` was about to run with another text than `sha256` (a change that failed or was cut short): the number is taken. */
  pendingOtherText(id: string, version: number, sha256: string): boolean {
    return this.of(id).some((a) => a.kind === 'pending' && a.version === version && a.sha256 !== sha256);
  }
}

/** The entries of a history file; a last line cut short (a crash while appending) is left out and counted. */
function historyFileEntries(file: string): { entries: Activation[]; cutShort: number } {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const entries: Activation[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      entries.push(JSON.parse(line) as Activation);
    } catch (err) {
      if (i === lines.length - 1) return { entries, cutShort: 1 };
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file} line ${i + 1} is not a JSON entry (${(err as Error).message}): repair or remove the line`, { file, line: i + 1 });
    }
  }
  return { entries, cutShort: 0 };
}

/**
 * Moves the history an earlier release kept in `<dataDir>/mapping-history.jsonl` into the store, when
 * the store has none yet; the file is renamed `.imported` once its entries are in. Resolves with how
 * many entries were imported, and whether a last line cut short was left out.
 * @throws GatewayError GW_ERR_CONFIG_INVALID naming a line before the last that is not an entry
 */
export async function importHistoryFile(dataDir: string, store: MappingChangeStore): Promise<{ imported: number; cutShort: number }> {
  const file = join(dataDir, 'mapping-history.jsonl');
  if (!existsSync(file) || (await store.mappingChangeCount()) > 0) return { imported: 0, cutShort: 0 };
  const { entries, cutShort } = historyFileEntries(file);
  const positions = new Map<string, number>();
  for (const entry of entries) {
    const position = (positions.get(entry.id) ?? 0) + 1;
    positions.set(entry.id, position);
    await store.appendMappingChange(entry, position);
  }
  renameSync(file, `${file}.imported`);
  return { imported: entries.length, cutShort };
}
