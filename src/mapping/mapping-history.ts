// The versions of each mapping file the gateway ran, kept beside the log's data: the text of each, who put it in place and when, as a stack that rollback walks back.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One change of the version a mapping runs. */
export interface Activation {
  id: string;
  version: number;
  sha256: string;
  /** The file, relative to the mappings folder (`<partner>/<name>.yaml`). */
  path: string;
  /** The file's exact text. */
  text: string;
  by: string;
  /** Epoch ms. */
  at: number;
  /**
   * `activated`: an upload made active; `rolled-back`: the version before the current one restored
   * (this entry is the restored version); `found`: the version the gateway was running from its file,
   * recorded before an admin's change replaced it (by `file`); `pending`: a change about to be made
   * (its {@link intent}), recorded before the file is written so that a gateway stopped halfway
   * records the change when it finds the version running.
   */
  kind: 'activated' | 'rolled-back' | 'found' | 'pending';
  /** What a `pending` entry becomes once the version runs. */
  intent?: 'activated' | 'rolled-back';
}

/** Activations in `<dataDir>/mapping-history.jsonl`, one JSON line each, oldest first; appended, never rewritten. */
export class MappingHistory {
  private readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'mapping-history.jsonl');
  }

  /** Every entry, oldest first. */
  all(): Activation[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Activation);
  }

  /** The entries of one mapping id, oldest first. */
  of(id: string): Activation[] {
    return this.all().filter((a) => a.id === id);
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

  /** The highest version `id` ran here (0 when none): a new upload must go above it. */
  highestVersion(id: string): number {
    return this.of(id).reduce((highest, a) => (a.kind === 'pending' ? highest : Math.max(highest, a.version)), 0);
  }

  /** Whether version `version` of `id` was about to run here with another text than `sha256` (a change that failed or was cut short): the number is taken. */
  pendingOtherText(id: string, version: number, sha256: string): boolean {
    return this.of(id).some((a) => a.kind === 'pending' && a.version === version && a.sha256 !== sha256);
  }

  /** Records an entry (synchronously and flushed, so it is on disk before anything depends on it). */
  add(activation: Activation): void {
    appendFileSync(this.file, `${JSON.stringify(activation)}\n`, { flush: true });
  }
}
